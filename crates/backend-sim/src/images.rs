//! The image catalogue: which images "exist" in the simulated registry.

use std::borrow::Cow;
use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// Images the simulated registry holds, by normalised reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageCatalogue {
    images: BTreeSet<String>,
}

/// Normalises an image reference the way a container runtime resolves it: no tag means
/// `latest`; Docker Hub's `docker.io/` and `library/` prefixes are implied.
pub fn normalize_image(reference: &str) -> String {
    normalized(reference).into_owned()
}

/// [`normalize_image`], borrowing `reference` when no tag needs adding: looking an
/// image up, as every workload status does for each container, allocates nothing.
fn normalized(reference: &str) -> Cow<'_, str> {
    let reference = reference.trim();
    let without_registry = reference
        .strip_prefix("docker.io/")
        .or_else(|| reference.strip_prefix("index.docker.io/"))
        .unwrap_or(reference);
    let name = without_registry
        .strip_prefix("library/")
        .unwrap_or(without_registry);
    if name.contains('@') {
        return Cow::Borrowed(name);
    }
    let last = name.rsplit('/').next().unwrap_or(name);
    if last.contains(':') {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(format!("{name}:latest"))
    }
}

impl ImageCatalogue {
    /// A catalogue holding exactly these images.
    pub fn new<I: IntoIterator<Item = S>, S: AsRef<str>>(images: I) -> Self {
        Self {
            images: images
                .into_iter()
                .map(|i| normalize_image(i.as_ref()))
                .collect(),
        }
    }

    /// Whether the image exists.
    pub fn contains(&self, reference: &str) -> bool {
        self.images.contains(normalized(reference).as_ref())
    }

    /// Adds an image.
    pub fn insert(&mut self, reference: &str) {
        self.images.insert(normalize_image(reference));
    }

    /// Every image, normalised, sorted.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.images.iter().map(String::as_str)
    }
}

impl Default for ImageCatalogue {
    /// Every image the vendors' documents name, plus a few common ones.
    fn default() -> Self {
        Self::new([
            "nginx:stable",
            "nginx:latest",
            "docker.io/library/nginx:latest",
            "busybox:latest",
            "alpine:latest",
            "redis:7",
            "ubuntu:22.04",
            "debian:12",
            "hub.cn-east-1.163yun.com/public/debian:7.9",
            "hub.c.163.com/public/ubuntu:16.04-tools",
            "10.185.8.133:5000/ncetest/cat:s20170301m1",
            "cd-docker-hub.szxy5.artifactory.cd-cloud-artifact.tools.xxx.com/yuanrong_euleros_x86/runtime-manager:201.2.0.B992.20240301163827-zyw-1",
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_table() {
        let cases = [
            ("nginx", "nginx:latest"),
            ("nginx:stable", "nginx:stable"),
            ("docker.io/library/nginx:latest", "nginx:latest"),
            ("library/nginx", "nginx:latest"),
            (
                "10.185.8.133:5000/ncetest/cat",
                "10.185.8.133:5000/ncetest/cat:latest",
            ),
            (
                "10.185.8.133:5000/ncetest/cat:v1",
                "10.185.8.133:5000/ncetest/cat:v1",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(normalize_image(input), want, "{input}");
        }
    }

    #[test]
    fn default_catalogue_has_the_seed_images() {
        let c = ImageCatalogue::default();
        assert!(c.contains("nginx"));
        assert!(c.contains("nginx:stable"));
        assert!(c.contains("hub.cn-east-1.163yun.com/public/debian:7.9"));
        assert!(!c.contains("nginx:does-not-exist"));
    }
}
