"""Python ssl's verdict on each case of chainsmith's verifier-agreement corpus (see
../README.md for the line format): a handshake to the loopback server named by the
argument, the case's name as SNI, a default client context with the case's roots as its
only CA file. Host names are not checked."""
import json
import socket
import ssl
import sys


def handshake(host, port, roots, servername):
    context = ssl.create_default_context(cafile=roots)
    context.check_hostname = False
    with socket.create_connection((host, port), timeout=60) as raw:
        with context.wrap_socket(raw, server_hostname=servername):
            pass


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    for line in sys.stdin:
        fields = line.rstrip("\n").split("\t")
        verdict = {"id": fields[0], "trusted": True, "detail": "ok"}
        try:
            handshake(host, int(port), fields[1], fields[4])
        except ssl.SSLCertVerificationError as e:
            verdict.update(trusted=False, detail=e.verify_message)
        except (ssl.SSLError, OSError) as e:
            verdict.update(trusted=False, detail=f"{type(e).__name__}: {e}")
        print(json.dumps(verdict), flush=True)


main()
