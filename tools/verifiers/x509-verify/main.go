// x509-verify: Go's crypto/x509 as a peer for chainsmith's path validation. One JSON request
// per line on stdin, one JSON answer per line on stdout, in order:
//
//	{"id": "...", "leaf": "<base64 DER>", "intermediates": ["<base64 DER>", ...], "roots": [...], "at": "RFC 3339"}
//	{"id": "...", "ok": true, "chains": [["<sha256 hex>", ...], ...]}   (leaf first, root last)
//	{"id": "...", "ok": false, "error": "x509: ..."}
//
// Verification is Go's default for a TLS server without a host name: KeyUsages
// [ServerAuth], no DNSName. A leaf that does not parse is an answer with ok false; an
// intermediate or root that does not parse is left out, as a Go program loading a pool
// would leave it out, and named in "skipped". Standard library only.
package main

import (
	"bufio"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"time"
)

type request struct {
	ID            string   `json:"id"`
	Leaf          []byte   `json:"leaf"`
	Intermediates [][]byte `json:"intermediates"`
	Roots         [][]byte `json:"roots"`
	At            string   `json:"at"`
}

type answer struct {
	ID      string     `json:"id"`
	OK      bool       `json:"ok"`
	Chains  [][]string `json:"chains,omitempty"`
	Error   string     `json:"error,omitempty"`
	Skipped []string   `json:"skipped,omitempty"`
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 0, 1<<20), 1<<30)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var req request
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			fmt.Fprintf(os.Stderr, "x509-verify: bad request line: %v\n", err)
			os.Exit(2)
		}
		if err := out.Encode(verify(req)); err != nil {
			os.Exit(1)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "x509-verify: reading stdin: %v\n", err)
		os.Exit(2)
	}
}

func verify(req request) answer {
	ans := answer{ID: req.ID}
	at, err := time.Parse(time.RFC3339Nano, req.At)
	if err != nil {
		ans.Error = fmt.Sprintf("bad time %q: %v", req.At, err)
		return ans
	}
	leaf, err := x509.ParseCertificate(req.Leaf)
	if err != nil {
		ans.Error = "parse leaf: " + err.Error()
		return ans
	}
	opts := x509.VerifyOptions{Roots: x509.NewCertPool(), Intermediates: x509.NewCertPool(), CurrentTime: at}
	ans.Skipped = append(ans.Skipped, addAll(opts.Intermediates, req.Intermediates, "intermediate")...)
	ans.Skipped = append(ans.Skipped, addAll(opts.Roots, req.Roots, "root")...)
	chains, err := leaf.Verify(opts)
	if err != nil {
		ans.Error = err.Error()
		return ans
	}
	ans.OK = true
	for _, chain := range chains {
		ids := make([]string, len(chain))
		for i, cert := range chain {
			sum := sha256.Sum256(cert.Raw)
			ids[i] = hex.EncodeToString(sum[:])
		}
		ans.Chains = append(ans.Chains, ids)
	}
	return ans
}

func addAll(pool *x509.CertPool, ders [][]byte, role string) []string {
	var skipped []string
	for i, der := range ders {
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("%s %d: %v", role, i+1, err))
			continue
		}
		pool.AddCert(cert)
	}
	return skipped
}
