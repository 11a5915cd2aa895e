//! Whether an image exists: asked of its OCI registry, as a kubelet's pull would find
//! it (`HEAD /v2/<name>/manifests/<tag>`), anonymously, with the registry's token
//! handshake when it asks for one (Docker Hub does). The protocol is `oci-client`'s;
//! this file only says which registry a reference goes to and what its answer means.

use std::time::Duration;

use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::{OciDistributionError, OciErrorCode};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use podgate_core::{Error, Result};

/// Where image lookups go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryConfig {
    /// The registry of references that name none (`nginx:stable`): Docker Hub's.
    pub default_registry: String,
    /// Registries spoken to over plain HTTP (a local mirror, a test registry); every
    /// other one over HTTPS.
    pub plain_http: Vec<String>,
}

impl Default for RegistryConfig {
    /// Docker Hub, everything over HTTPS.
    fn default() -> Self {
        Self {
            default_registry: "registry-1.docker.io".to_owned(),
            plain_http: Vec::new(),
        }
    }
}

/// How long one lookup may take in all.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Looks images up in their registries. The client keeps each registry's pull token
/// until it expires, so a second lookup in a repository skips the handshake.
#[derive(Clone)]
pub(crate) struct Registries {
    default_registry: String,
    client: Client,
}

fn unavailable(why: String) -> Error {
    Error::Backend {
        temporary: true,
        source: why.into(),
    }
}

impl Registries {
    /// A client for `config`. TLS uses the process's rustls crypto provider, and
    /// installs ring (the one the Kubernetes client uses) when none is installed yet.
    pub(crate) fn new(config: RegistryConfig) -> Result<Self> {
        // Fails only when a provider is already installed, which is then used.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = Client::try_from(ClientConfig {
            protocol: ClientProtocol::HttpsExcept(config.plain_http),
            connect_timeout: Some(TIMEOUT),
            ..ClientConfig::default()
        })
        .map_err(|e| Error::Backend {
            temporary: false,
            source: e.into(),
        })?;
        Ok(Self {
            default_registry: config.default_registry,
            client,
        })
    }

    /// The reference `image` names, asked of the configured default registry when it
    /// names Docker Hub's (or none); `None` when `image` is no image's name.
    fn reference(&self, image: &str) -> Option<Reference> {
        let reference = Reference::try_from(image).ok()?;
        match reference.whole().strip_prefix("docker.io/") {
            Some(rest) => Reference::try_from(format!("{}/{rest}", self.default_registry)).ok(),
            None => Some(reference),
        }
    }

    /// Whether `image` exists in its registry. A reference that is no image's name,
    /// or one the registry does not show without credentials, does not.
    pub(crate) async fn exists(&self, image: &str) -> Result<bool> {
        let Some(reference) = self.reference(image) else {
            return Ok(false);
        };
        let registry = reference.resolve_registry().to_owned();
        let lookup = self
            .client
            .fetch_manifest_digest(&reference, &RegistryAuth::Anonymous);
        match tokio::time::timeout(TIMEOUT, lookup).await {
            Err(_) => Err(unavailable(format!("{registry} did not answer"))),
            Ok(Ok(_digest)) => Ok(true),
            Ok(Err(e)) if is_absent(&e) => Ok(false),
            Ok(Err(e)) => Err(unavailable(format!("{registry}: {e}"))),
        }
    }
}

/// Whether a registry's refusal means the image is not there for an anonymous pull
/// (unknown, or not shown without credentials), rather than that the registry could
/// not answer (unreachable, rate-limited, failing).
fn is_absent(e: &OciDistributionError) -> bool {
    match e {
        OciDistributionError::UnauthorizedError { .. } => true,
        OciDistributionError::ServerError { code, .. } => matches!(code, 401 | 403 | 404),
        OciDistributionError::RegistryError { envelope, .. } => {
            !envelope.errors.is_empty()
                && envelope.errors.iter().all(|error| {
                    matches!(
                        error.code,
                        OciErrorCode::ManifestUnknown
                            | OciErrorCode::NameUnknown
                            | OciErrorCode::NameInvalid
                            | OciErrorCode::TagInvalid
                            | OciErrorCode::NotFound
                            | OciErrorCode::Unauthorized
                            | OciErrorCode::Denied
                    )
                })
        }
        _ => false,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use std::io::{Read, Write};
    use std::net::TcpListener;

    use super::*;

    const DIGEST: &str = "sha256:2d2b2a5e6f8c0e1f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f";

    #[test]
    fn references_go_to_their_registry_and_docker_hub_to_the_default() {
        let registries = Registries::new(RegistryConfig {
            default_registry: "mirror.local:5000".to_owned(),
            plain_http: Vec::new(),
        })
        .unwrap();
        let cases = [
            ("nginx", "mirror.local:5000", "library/nginx"),
            ("nginx:stable", "mirror.local:5000", "library/nginx"),
            ("bitnami/redis:7", "mirror.local:5000", "bitnami/redis"),
            (
                "docker.io/library/nginx:1",
                "mirror.local:5000",
                "library/nginx",
            ),
            ("docker.io/nginx", "mirror.local:5000", "library/nginx"),
            ("quay.io/org/app:v1", "quay.io", "org/app"),
            ("localhost:5000/app", "localhost:5000", "app"),
        ];
        for (image, registry, repository) in cases {
            let reference = registries.reference(image).unwrap();
            assert_eq!(reference.resolve_registry(), registry, "{image}");
            assert_eq!(reference.repository(), repository, "{image}");
        }
        let pinned = registries
            .reference(&format!("ghcr.io/a/b@{DIGEST}"))
            .unwrap();
        assert_eq!(pinned.digest(), Some(DIGEST));
        assert!(registries.reference(":x").is_none());
        assert!(registries.reference("no spaces").is_none());
    }

    /// A stand-in registry on loopback: it asks for a token (from its own `/token`)
    /// and, with it, knows `library/nginx` at `stable` and `1`; `library/busy` always
    /// answers that the pull rate limit is reached.
    pub(crate) fn stand_in_registry() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let me = addr.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut seen = Vec::new();
                let mut buf = [0u8; 2048];
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&seen).to_lowercase();
                let line = text.lines().next().unwrap_or_default().to_owned();
                let authorized = text.contains("authorization: bearer t0k3n");
                let (status, headers, body) = if line.starts_with("get /token?") {
                    ("200 OK", String::new(), r#"{"token":"t0k3n"}"#.to_owned())
                } else if !authorized {
                    let challenge = format!(
                        "WWW-Authenticate: Bearer realm=\"http://{me}/token\",service=\"stand-in\"\r\n"
                    );
                    ("401 Unauthorized", challenge, String::new())
                } else if line.starts_with("head /v2/library/nginx/manifests/stable ")
                    || line.starts_with("head /v2/library/nginx/manifests/1 ")
                {
                    let digest = format!("Docker-Content-Digest: {DIGEST}\r\n");
                    ("200 OK", digest, String::new())
                } else if line.contains(" /v2/library/busy/") {
                    let limit =
                        r#"{"errors":[{"code":"TOOMANYREQUESTS","message":"pull rate limit"}]}"#;
                    ("429 Too Many Requests", String::new(), limit.to_owned())
                } else {
                    let unknown =
                        r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#;
                    ("404 Not Found", String::new(), unknown.to_owned())
                };
                let reply = format!(
                    "HTTP/1.1 {status}\r\n{headers}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(reply.as_bytes());
            }
        });
        addr
    }

    #[tokio::test]
    async fn lookups_take_the_registry_token_and_tell_present_from_missing() {
        let addr = stand_in_registry();
        let registries = Registries::new(RegistryConfig {
            default_registry: addr.clone(),
            plain_http: vec![addr.clone()],
        })
        .unwrap();
        assert!(registries.exists("nginx:stable").await.unwrap());
        assert!(
            registries
                .exists(&format!("{addr}/library/nginx:1"))
                .await
                .unwrap()
        );
        assert!(!registries.exists("nginx:no-such-tag-ever").await.unwrap());
        assert!(!registries.exists("someone/private:1").await.unwrap());
        assert!(!registries.exists("Not A Reference").await.unwrap());
        assert!(
            matches!(
                registries.exists("busy:1").await,
                Err(Error::Backend {
                    temporary: true,
                    ..
                })
            ),
            "a registry's rate limit is a temporary failure, not a missing image"
        );
        let nowhere = Registries::new(RegistryConfig {
            default_registry: "127.0.0.1:9".to_owned(),
            plain_http: vec!["127.0.0.1:9".to_owned()],
        })
        .unwrap();
        assert!(
            matches!(
                nowhere.exists("nginx:1").await,
                Err(Error::Backend {
                    temporary: true,
                    ..
                })
            ),
            "a registry that cannot be reached is a backend failure, not a missing image"
        );
    }
}
