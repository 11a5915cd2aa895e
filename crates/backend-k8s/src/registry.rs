//! Whether an image exists: asked of its OCI registry, as a kubelet's pull would find
//! it (`HEAD /v2/<name>/manifests/<tag>`), anonymously, with the registry's token
//! handshake when it asks for one (Docker Hub does).

use std::time::Duration;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
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

/// The manifest types a lookup accepts (image indexes and single images, OCI and
/// Docker's).
const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
    application/vnd.docker.distribution.manifest.list.v2+json, \
    application/vnd.oci.image.manifest.v1+json, \
    application/vnd.docker.distribution.manifest.v2+json";

/// An image reference taken apart: registry host, repository, tag or digest.
#[derive(Debug, PartialEq, Eq)]
struct Reference {
    registry: String,
    repository: String,
    reference: String,
}

fn parse(image: &str, default_registry: &str) -> Option<Reference> {
    let untagged = |named: &str| match named.rsplit_once(':') {
        Some((rest, tag)) if !tag.contains('/') => (rest.to_owned(), tag.to_owned()),
        _ => (named.to_owned(), "latest".to_owned()),
    };
    let (rest, reference) = match image.split_once('@') {
        // A digest names the manifest; a tag beside it says nothing more.
        Some((named, digest)) => (untagged(named).0, digest.to_owned()),
        None => untagged(image),
    };
    let rest = rest.as_str();
    if rest.is_empty() {
        return None;
    }
    let (first, remainder) = match rest.split_once('/') {
        Some((first, remainder)) => (first, Some(remainder)),
        None => (rest, None),
    };
    let is_host = |s: &str| s.contains('.') || s.contains(':') || s == "localhost";
    let (registry, repository) = match remainder {
        Some(remainder) if first == "docker.io" || first == "index.docker.io" => {
            let repository = if remainder.contains('/') {
                remainder.to_owned()
            } else {
                format!("library/{remainder}")
            };
            (default_registry.to_owned(), repository)
        }
        Some(remainder) if is_host(first) => (first.to_owned(), remainder.to_owned()),
        Some(_) => (default_registry.to_owned(), rest.to_owned()),
        None => (default_registry.to_owned(), format!("library/{rest}")),
    };
    (!repository.is_empty() && !reference.is_empty()).then_some(Reference {
        registry,
        repository,
        reference,
    })
}

/// `key="value"` pairs of a `WWW-Authenticate: Bearer ...` challenge.
fn challenge(header: &str) -> Option<Vec<(String, String)>> {
    let params = header.strip_prefix("Bearer ")?;
    let mut out = Vec::new();
    for part in params.split(',') {
        let (key, value) = part.trim().split_once('=')?;
        out.push((key.to_owned(), value.trim_matches('"').to_owned()));
    }
    Some(out)
}

/// Looks images up in their registries.
#[derive(Clone)]
pub(crate) struct Registries {
    config: RegistryConfig,
    client: Client<HttpsConnector<HttpConnector>, Empty<Bytes>>,
}

fn unavailable(why: String) -> Error {
    Error::Backend {
        temporary: true,
        source: why.into(),
    }
}

impl Registries {
    pub(crate) fn new(config: RegistryConfig) -> std::io::Result<Self> {
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(rustls::crypto::ring::default_provider())?
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Self {
            config,
            client: Client::builder(TokioExecutor::new()).build(connector),
        })
    }

    /// Whether `image` exists in its registry. A reference that is no image's name,
    /// or one the registry does not show without credentials, does not.
    pub(crate) async fn exists(&self, image: &str) -> Result<bool> {
        let Some(r) = parse(image, &self.config.default_registry) else {
            return Ok(false);
        };
        tokio::time::timeout(TIMEOUT, self.lookup(&r))
            .await
            .unwrap_or_else(|_| Err(unavailable(format!("{} did not answer", r.registry))))
    }

    async fn lookup(&self, r: &Reference) -> Result<bool> {
        let scheme = if self.config.plain_http.contains(&r.registry) {
            "http"
        } else {
            "https"
        };
        let url = format!(
            "{scheme}://{}/v2/{}/manifests/{}",
            r.registry, r.repository, r.reference
        );
        let first = self.head(&url, None).await?;
        let status = match first.status().as_u16() {
            401 => {
                let header = first
                    .headers()
                    .get(hyper::header::WWW_AUTHENTICATE)
                    .and_then(|h| h.to_str().ok())
                    .unwrap_or_default();
                let Some(token) = self.token(header).await? else {
                    return Ok(false);
                };
                self.head(&url, Some(&token)).await?.status().as_u16()
            }
            other => other,
        };
        match status {
            200..=299 => Ok(true),
            401 | 403 | 404 => Ok(false),
            other => Err(unavailable(format!("{} answered {other}", r.registry))),
        }
    }

    async fn head(
        &self,
        url: &str,
        token: Option<&str>,
    ) -> Result<hyper::Response<hyper::body::Incoming>> {
        let mut request = hyper::Request::head(url).header(hyper::header::ACCEPT, ACCEPT);
        if let Some(token) = token {
            request = request.header(hyper::header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = request
            .body(Empty::new())
            .map_err(|e| unavailable(e.to_string()))?;
        self.client
            .request(request)
            .await
            .map_err(|e| unavailable(format!("{url}: {e}")))
    }

    /// An anonymous pull token from the realm a 401 names; `None` without a bearer
    /// challenge.
    async fn token(&self, header: &str) -> Result<Option<String>> {
        let Some(params) = challenge(header) else {
            return Ok(None);
        };
        let get = |k: &str| {
            params
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        let Some(realm) = get("realm") else {
            return Ok(None);
        };
        let query: Vec<(&str, &str)> = ["service", "scope"]
            .into_iter()
            .filter_map(|k| get(k).map(|v| (k, v)))
            .collect();
        let query = serde_urlencoded::to_string(&query).map_err(|e| unavailable(e.to_string()))?;
        let url = if query.is_empty() {
            realm.to_owned()
        } else {
            format!("{realm}?{query}")
        };
        let request = hyper::Request::get(&url)
            .body(Empty::new())
            .map_err(|e| unavailable(e.to_string()))?;
        let reply = self
            .client
            .request(request)
            .await
            .map_err(|e| unavailable(format!("{url}: {e}")))?;
        if !reply.status().is_success() {
            return Ok(None);
        }
        let body = reply
            .into_body()
            .collect()
            .await
            .map_err(|e| unavailable(e.to_string()))?
            .to_bytes();
        let answer: serde_json::Value =
            serde_json::from_slice(&body).map_err(|e| unavailable(e.to_string()))?;
        Ok(answer
            .get("token")
            .or_else(|| answer.get("access_token"))
            .and_then(|t| t.as_str())
            .map(str::to_owned))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use std::io::{Read, Write};
    use std::net::TcpListener;

    use super::*;

    #[test]
    fn references_name_their_registry_repository_and_tag() {
        let hub = "registry-1.docker.io";
        let cases = [
            ("nginx", hub, "library/nginx", "latest"),
            ("nginx:stable", hub, "library/nginx", "stable"),
            ("bitnami/redis:7", hub, "bitnami/redis", "7"),
            ("docker.io/library/nginx:1", hub, "library/nginx", "1"),
            ("quay.io/org/app:v1", "quay.io", "org/app", "v1"),
            ("localhost:5000/app", "localhost:5000", "app", "latest"),
            ("ghcr.io/a/b@sha256:abc", "ghcr.io", "a/b", "sha256:abc"),
            ("nginx:1.25@sha256:abc", hub, "library/nginx", "sha256:abc"),
            ("docker.io/nginx", hub, "library/nginx", "latest"),
        ];
        for (image, registry, repository, reference) in cases {
            assert_eq!(
                parse(image, hub),
                Some(Reference {
                    registry: registry.to_owned(),
                    repository: repository.to_owned(),
                    reference: reference.to_owned(),
                }),
                "{image}"
            );
        }
        assert_eq!(parse(":x", hub), None);
    }

    /// A stand-in registry on loopback: it asks for a token (from its own `/token`)
    /// and, with it, knows `library/nginx` at `stable` and `1`.
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
                let text = String::from_utf8_lossy(&seen).to_string();
                let line = text.lines().next().unwrap_or_default().to_owned();
                let authorized = text.contains("Authorization: Bearer t0k3n")
                    || text.contains("authorization: Bearer t0k3n");
                let (status, headers, body) = if line.starts_with("GET /token?") {
                    ("200 OK", String::new(), r#"{"token":"t0k3n"}"#.to_owned())
                } else if !authorized {
                    let challenge = format!(
                        "WWW-Authenticate: Bearer realm=\"http://{me}/token\",service=\"stand-in\",scope=\"repository:library/nginx:pull\"\r\n"
                    );
                    ("401 Unauthorized", challenge, String::new())
                } else if line.starts_with("HEAD /v2/library/nginx/manifests/stable ")
                    || line.starts_with("HEAD /v2/library/nginx/manifests/1 ")
                {
                    ("200 OK", String::new(), String::new())
                } else {
                    ("404 Not Found", String::new(), String::new())
                };
                let reply = format!(
                    "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
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
