module chainsmith.local/x509-verify

go 1.26
