//! The image catalogue: which images "exist" in the simulated registry.

use std::borrow::Cow;

use serde::{Deserialize, Serialize, Serializer};

/// Images the simulated registry holds, by normalised reference. Serialised as a
/// sorted list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageCatalogue {
    /// Hashed: every read of a workload or pod looks each of its images up.
    #[serde(serialize_with = "sorted")]
    images: foldhash::HashSet<String>,
}

fn sorted<S: Serializer>(
    images: &foldhash::HashSet<String>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(ImageCatalogue::sort(images))
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
    // Byte searches: these names are short, and a `char` pattern's search costs more
    // to set up than to run here.
    let bytes = name.as_bytes();
    let last = bytes
        .iter()
        .rposition(|&b| b == b'/')
        .map_or(bytes, |slash| bytes.get(slash + 1..).unwrap_or_default());
    if bytes.contains(&b'@') || last.contains(&b':') {
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

    /// Removes an image; answers whether it was there.
    pub fn remove(&mut self, reference: &str) -> bool {
        self.images.remove(normalized(reference).as_ref())
    }

    /// Every image, normalised, sorted.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        Self::sort(&self.images).into_iter()
    }

    fn sort(images: &foldhash::HashSet<String>) -> Vec<&str> {
        let mut all: Vec<&str> = images.iter().map(String::as_str).collect();
        all.sort_unstable();
        all
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

    #[test]
    fn listed_and_serialised_sorted() {
        let c = ImageCatalogue::new(["redis:7", "alpine", "docker.io/library/nginx:stable"]);
        let want = ["alpine:latest", "nginx:stable", "redis:7"];
        assert_eq!(c.iter().collect::<Vec<_>>(), want);
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json, serde_json::json!({ "images": want }));
        assert_eq!(serde_json::from_value::<ImageCatalogue>(json).unwrap(), c);
    }
}
