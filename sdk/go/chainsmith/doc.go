// Declare the TLS certificate chain your servers must serve: chainsmith chooses it, deploys it to Linux and Windows IIS hosts, proves it from the wire and shows drift on preview.
package chainsmith
