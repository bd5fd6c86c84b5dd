// Go crypto/x509's verdict on each case of chainsmith's verifier-agreement corpus (see
// ../README.md for the line format). The certificates after the leaf are the
// intermediates, as crypto/tls passes them; key usage serverAuth.
package main

import (
	"bufio"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

type verdict struct {
	ID      string `json:"id"`
	Trusted bool   `json:"trusted"`
	Detail  string `json:"detail"`
}

func certificates(file string) ([]*x509.Certificate, error) {
	rest, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var out []*x509.Certificate
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return out, nil
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, cert)
	}
}

func verify(rootsFile, chainFile string, at int64) error {
	roots, err := certificates(rootsFile)
	if err != nil {
		return fmt.Errorf("roots: %w", err)
	}
	chain, err := certificates(chainFile)
	if err != nil {
		return fmt.Errorf("chain: %w", err)
	}
	if len(chain) == 0 {
		return fmt.Errorf("empty chain")
	}
	opts := x509.VerifyOptions{
		Roots:         x509.NewCertPool(),
		Intermediates: x509.NewCertPool(),
		CurrentTime:   time.Unix(at, 0),
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, r := range roots {
		opts.Roots.AddCert(r)
	}
	for _, i := range chain[1:] {
		opts.Intermediates.AddCert(i)
	}
	_, err = chain[0].Verify(opts)
	return err
}

func main() {
	lines := bufio.NewScanner(os.Stdin)
	out := json.NewEncoder(os.Stdout)
	for lines.Scan() {
		fields := strings.Split(lines.Text(), "\t")
		if len(fields) < 4 {
			fmt.Fprintln(os.Stderr, "expected ID, ROOTS, CHAIN, UNIX-TIME separated by tabs:", lines.Text())
			os.Exit(2)
		}
		at, err := strconv.ParseInt(fields[3], 10, 64)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bad time:", fields[3])
			os.Exit(2)
		}
		v := verdict{ID: fields[0], Trusted: true, Detail: "ok"}
		if err := verify(fields[1], fields[2], at); err != nil {
			v.Trusted, v.Detail = false, err.Error()
		}
		out.Encode(v)
	}
}
