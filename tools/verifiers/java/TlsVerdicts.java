// A Java 17 TLS client's verdict on each case of chainsmith's verifier-agreement corpus
// (see ../README.md for the line format): a handshake with SunJSSE to the loopback server
// named by the argument, the case's name as SNI, and a PKIX trust manager over a trust
// store holding the case's roots as trusted-certificate entries (what keytool -importcert
// writes). Host names are not checked (no endpoint identification).
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

public final class TlsVerdicts {
  public static void main(String[] args) throws Exception {
    String[] hostPort = args[0].split(":");
    String host = hostPort[0];
    int port = Integer.parseInt(hostPort[1]);
    BufferedReader lines = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = lines.readLine()) != null; ) {
      String[] fields = line.split("\t");
      String id = fields[0];
      String detail = "ok";
      boolean trusted = true;
      try {
        handshake(host, port, fields[4], trustStore(fields[1]));
      } catch (Exception e) {
        trusted = false;
        detail = rootCause(e);
      }
      System.out.println("{\"id\":" + quote(id) + ",\"trusted\":" + trusted + ",\"detail\":" + quote(detail) + "}");
    }
  }

  static KeyStore trustStore(String rootsFile) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    try (InputStream in = new FileInputStream(rootsFile)) {
      int n = 0;
      for (Certificate root : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("root-" + n++, root);
      }
    }
    return store;
  }

  static void handshake(String host, int port, String servername, KeyStore roots) throws Exception {
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(roots);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(host, port)) {
      socket.setSoTimeout(60_000);
      SSLParameters params = socket.getSSLParameters();
      params.setServerNames(List.of(new SNIHostName(servername)));
      socket.setSSLParameters(params);
      socket.startHandshake();
    }
  }

  static String rootCause(Throwable e) {
    StringBuilder out = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (out.length() > 0) out.append(" <- ");
      out.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
    }
    return out.toString();
  }

  static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') out.append('\\').append(c);
      else if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
      else out.append(c);
    }
    return out.append('"').toString();
  }
}
