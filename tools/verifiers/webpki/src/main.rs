//! rustls-webpki's verdict on each case of chainsmith's verifier-agreement corpus (see
//! ../README.md for the line format). The certificates after the leaf are the
//! intermediates, as rustls passes them; key usage serverAuth.
use pki_types::pem::PemObject;
use pki_types::{CertificateDer, UnixTime};
use std::io::{BufRead, Write};
use std::time::Duration;

fn certs(file: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    CertificateDer::pem_file_iter(file)
        .map_err(|e| format!("{file}: {e:?}"))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{file}: {e:?}"))
}

fn verify(roots_file: &str, chain_file: &str, at: u64) -> Result<(), String> {
    let roots = certs(roots_file)?;
    let chain = certs(chain_file)?;
    let (leaf, intermediates) = chain.split_first().ok_or("empty chain")?;
    let anchors = roots
        .iter()
        .map(|r| webpki::anchor_from_trusted_cert(r).map(|a| a.to_owned()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("root: {e:?}"))?;
    let ee = webpki::EndEntityCert::try_from(leaf).map_err(|e| format!("leaf: {e:?}"))?;
    ee.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &anchors,
        intermediates,
        UnixTime::since_unix_epoch(Duration::from_secs(at)),
        webpki::KeyUsage::server_auth(),
        None,
        None,
    )
    .map(|_| ())
    .map_err(|e| format!("{e:?}"))
}

fn main() {
    let mut out = std::io::stdout().lock();
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("read stdin");
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() < 4 {
            eprintln!("expected ID, ROOTS, CHAIN, UNIX-TIME separated by tabs: {line}");
            std::process::exit(2);
        }
        let at: u64 = fields[3].parse().expect("UNIX-TIME");
        let result = verify(fields[1], fields[2], at);
        let verdict = serde_json::json!({
            "id": fields[0],
            "trusted": result.is_ok(),
            "detail": result.err().unwrap_or_else(|| "ok".into()),
        });
        writeln!(out, "{verdict}").unwrap();
    }
}
