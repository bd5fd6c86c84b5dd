module chainsmith.local/verifiers/go-x509

go 1.22
