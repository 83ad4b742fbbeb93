//! SIP over TLS (RFC 3261 26.2.1, `sips:` and port 5061 by default) with rustls through
//! tokio-rustls, ring as the crypto provider. Owns building the rustls server configuration
//! from PEM files (certificate chain and key; optionally a client CA for mutual TLS, which
//! Lync and Exchange UM use between each other), the client configuration trusting a given
//! CA, the TLS listener and sending (over the connection a request came on, or a new one whose
//! server name is the peer's IP address: lab certificates carry their IPs in the SAN). The
//! connection loop itself is `connection::serve`, shared with TCP.

use std::net::SocketAddr;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::{TlsAcceptor, TlsConnector};

use super::connection::send_err;
use super::connection::{serve, Connections, StreamShared};
use super::tcp::connect_from;
use super::{InboundSink, PeerCertificate, TransportError, TransportKind};

/// What the TLS listener presents and whom it trusts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsSettings {
    /// Server certificate first, then intermediates (PEM).
    pub cert_chain_pem: String,
    /// The server's private key (PEM: PKCS#8, PKCS#1 or SEC1).
    pub key_pem: String,
    /// CA (PEM) whose client certificates are accepted; `None`: no client certificates asked.
    pub client_ca_pem: Option<String>,
    /// With a client CA: refuse clients without a certificate (mutual TLS).
    pub require_client_cert: bool,
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn tls_err(what: &str, e: impl std::fmt::Display) -> TransportError {
    TransportError::Tls(format!("{what}: {e}"))
}

fn certs(pem: &str, what: &str) -> Result<Vec<CertificateDer<'static>>, TransportError> {
    let certs: Vec<_> = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|e| tls_err(what, e))?;
    if certs.is_empty() {
        return Err(tls_err(what, "no PEM CERTIFICATE block found"));
    }
    Ok(certs)
}

fn roots(pem: &str, what: &str) -> Result<rustls::RootCertStore, TransportError> {
    let mut store = rustls::RootCertStore::empty();
    for cert in certs(pem, what)? {
        store.add(cert).map_err(|e| tls_err(what, e))?;
    }
    Ok(store)
}

/// The rustls server configuration for `settings`.
pub fn server_config(settings: &TlsSettings) -> Result<Arc<rustls::ServerConfig>, TransportError> {
    let chain = certs(&settings.cert_chain_pem, "server certificate chain")?;
    let key = PrivateKeyDer::from_pem_slice(settings.key_pem.as_bytes())
        .map_err(|e| tls_err("server private key", e))?;
    let builder = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_err("protocol versions", e))?;
    let builder = match &settings.client_ca_pem {
        None => builder.with_no_client_auth(),
        Some(ca) => {
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots(ca, "client CA")?),
                provider(),
            );
            let verifier = if settings.require_client_cert {
                verifier
            } else {
                verifier.allow_unauthenticated()
            };
            builder.with_client_cert_verifier(
                verifier
                    .build()
                    .map_err(|e| tls_err("client verifier", e))?,
            )
        }
    };
    let config = builder
        .with_single_cert(chain, key)
        .map_err(|e| tls_err("server certificate and key", e))?;
    Ok(Arc::new(config))
}

/// A rustls client configuration trusting `ca_pem`, optionally presenting a certificate.
pub fn client_config(
    ca_pem: &str,
    identity: Option<(&str, &str)>,
) -> Result<Arc<rustls::ClientConfig>, TransportError> {
    let builder = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_err("protocol versions", e))?
        .with_root_certificates(roots(ca_pem, "trusted CA")?);
    with_identity(builder, identity)
}

/// The client configuration, presenting `identity` (chain PEM, key PEM) if given.
fn with_identity(
    builder: rustls::ConfigBuilder<rustls::ClientConfig, rustls::client::WantsClientCert>,
    identity: Option<(&str, &str)>,
) -> Result<Arc<rustls::ClientConfig>, TransportError> {
    let config = match identity {
        None => builder.with_no_client_auth(),
        Some((chain, key)) => builder
            .with_client_auth_cert(
                certs(chain, "client certificate chain")?,
                PrivateKeyDer::from_pem_slice(key.as_bytes())
                    .map_err(|e| tls_err("client private key", e))?,
            )
            .map_err(|e| tls_err("client certificate and key", e))?,
    };
    Ok(Arc::new(config))
}

/// What a TLS client does with the chain a server offers (the server's certificate first):
/// `Ok` goes on, `Err(why)` refuses the connection.
pub type ChainInspector = dyn Fn(&[CertificateDer<'_>]) -> Result<(), String> + Send + Sync;

/// A server certificate verifier that hands the offered chain to a [`ChainInspector`] (the
/// caller's own judgement: name, validity, trust) and checks the handshake signatures with
/// ring as rustls does.
struct InspectingVerifier {
    inspect: Arc<ChainInspector>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl std::fmt::Debug for InspectingVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InspectingVerifier")
    }
}

impl rustls::client::danger::ServerCertVerifier for InspectingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        let mut chain = vec![end_entity.clone()];
        chain.extend(intermediates.iter().cloned());
        (self.inspect)(&chain).map_err(rustls::Error::General)?;
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A rustls client configuration whose server certificate check is `inspect`, optionally
/// presenting a certificate (chain PEM, key PEM) for mutual TLS.
pub fn inspecting_client_config(
    inspect: Arc<ChainInspector>,
    identity: Option<(&str, &str)>,
) -> Result<Arc<rustls::ClientConfig>, TransportError> {
    let provider = provider();
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_err("protocol versions", e))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(InspectingVerifier { inspect, provider }));
    with_identity(builder, identity)
}

/// Connects to `addr`, asks for `server_name` (SNI when it is a DNS name), and returns the
/// chain the server offers, without judging it; the connection is closed after the handshake.
pub async fn fetch_chain(
    addr: SocketAddr,
    server_name: &str,
    timeout: std::time::Duration,
) -> Result<Vec<CertificateDer<'static>>, TransportError> {
    let seen: Arc<std::sync::Mutex<Vec<CertificateDer<'static>>>> = Arc::default();
    let record = seen.clone();
    let inspect: Arc<ChainInspector> = Arc::new(move |chain: &[CertificateDer<'_>]| {
        if let Ok(mut s) = record.lock() {
            *s = chain.iter().map(|c| c.clone().into_owned()).collect();
        }
        Ok(())
    });
    let config = inspecting_client_config(inspect, None)?;
    let name = match server_name.parse::<std::net::IpAddr>() {
        Ok(ip) => ServerName::IpAddress(ip.into()),
        Err(_) => ServerName::try_from(server_name.to_string())
            .map_err(|e| tls_err(&format!("server name {server_name:?}"), e))?,
    };
    let failed = |why: String| TransportError::Send {
        kind: TransportKind::Tls,
        to: addr,
        len: 0,
        reason: why,
    };
    let handshake = async {
        let tcp = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| failed(format!("TCP connect: {e}")))?;
        TlsConnector::from(config)
            .connect(name, tcp)
            .await
            .map_err(|e| failed(format!("TLS handshake: {e}")))
    };
    let tls = tokio::time::timeout(timeout, handshake)
        .await
        .map_err(|_| failed(format!("no TLS handshake within {} s", timeout.as_secs())))??;
    drop(tls);
    let chain = seen.lock().map(|s| s.clone()).unwrap_or_default();
    Ok(chain)
}

/// The TLS listener's handle for sending.
#[derive(Clone)]
pub struct TlsTransport {
    shared: StreamShared,
    acceptor: TlsAcceptor,
    connector: Option<TlsConnector>,
}

impl std::fmt::Debug for TlsTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsTransport")
            .field("local", &self.shared.local)
            .field("client", &self.connector.is_some())
            .finish()
    }
}

impl TlsTransport {
    /// Binds `addr` (port 0 picks one) and starts accepting. Without `client` new outbound
    /// TLS connections cannot be made (responses still reuse inbound ones).
    pub async fn bind(
        addr: SocketAddr,
        server: Arc<rustls::ServerConfig>,
        client: Option<Arc<rustls::ClientConfig>>,
        connections: Connections,
        inbound: InboundSink,
        shutdown: watch::Receiver<bool>,
    ) -> Result<(TlsTransport, JoinHandle<()>), TransportError> {
        let bind_err = |source| TransportError::Bind {
            kind: TransportKind::Tls,
            addr,
            source,
        };
        let listener = TcpListener::bind(addr).await.map_err(bind_err)?;
        let local = listener.local_addr().map_err(bind_err)?;
        let transport = TlsTransport {
            shared: StreamShared {
                kind: TransportKind::Tls,
                local,
                connections,
                inbound,
                shutdown,
            },
            acceptor: TlsAcceptor::from(server),
            connector: client.map(TlsConnector::from),
        };
        let acceptor = transport.clone();
        let task = tokio::spawn(async move { acceptor.accept_loop(listener).await });
        Ok((transport, task))
    }

    async fn accept_loop(self, listener: TcpListener) {
        let mut shutdown = self.shared.shutdown.clone();
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((stream, peer)) = accepted else { continue };
                    let Ok((registration, outgoing)) = self.shared.connections.register(TransportKind::Tls, peer) else {
                        continue;
                    };
                    let this = self.clone();
                    tokio::spawn(async move {
                        let _ = stream.set_nodelay(true);
                        let timeout = this.shared.connections.limits().handshake_timeout;
                        let handshake = tokio::time::timeout(timeout, this.acceptor.accept(stream)).await;
                        if let Ok(Ok(tls)) = handshake {
                            let mut ctx = this.shared.context(registration, outgoing, peer);
                            ctx.peer_certificate = tls
                                .get_ref()
                                .1
                                .peer_certificates()
                                .and_then(|c| c.first())
                                .map(|c| PeerCertificate::from(c.as_ref()));
                            serve(tls, ctx).await;
                        }
                    });
                }
                _ = shutdown.changed() => break,
            }
        }
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.shared.local
    }

    /// Queues on the open connection with `to`; `Err(bytes)` when there is none.
    pub fn try_send(
        &self,
        to: SocketAddr,
        bytes: Vec<u8>,
    ) -> Result<Result<(), TransportError>, Vec<u8>> {
        self.shared.try_send(to, bytes)
    }

    /// Sends over the open connection with `to`, connecting (and verifying the peer's
    /// certificate for its IP address) first if needed.
    pub async fn send(&self, to: SocketAddr, bytes: Vec<u8>) -> Result<(), TransportError> {
        let bytes = match self.try_send(to, bytes) {
            Ok(result) => return result,
            Err(bytes) => bytes,
        };
        let len = bytes.len();
        let Some(connector) = &self.connector else {
            return Err(send_err(
                TransportKind::Tls,
                to,
                len,
                "no open connection and no TLS client configuration to open one",
            ));
        };
        let limits = self.shared.connections.limits();
        let (registration, outgoing) = self.shared.connections.register(TransportKind::Tls, to)?;
        let connect = async {
            let tcp = connect_from(self.shared.local, to)
                .await
                .map_err(|e| e.to_string())?;
            let _ = tcp.set_nodelay(true);
            connector
                .connect(ServerName::IpAddress(to.ip().into()), tcp)
                .await
                .map_err(|e| e.to_string())
        };
        let tls = tokio::time::timeout(limits.handshake_timeout, connect)
            .await
            .map_err(|_| send_err(TransportKind::Tls, to, len, "connect timed out"))?
            .map_err(|e| send_err(TransportKind::Tls, to, len, e))?;
        tokio::spawn(serve(tls, self.shared.context(registration, outgoing, to)));
        self.shared.queue_on_new(to, bytes, len)
    }
}
