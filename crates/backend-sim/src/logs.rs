//! Synthetic container logs, derived from a container's history when read.

use podgate_core::model::{ContainerState, Timestamp};

/// Heartbeat lines come every this many simulated milliseconds.
const HEARTBEAT_MS: i64 = 10_000;
/// At most this many heartbeat lines are produced (the oldest are dropped).
const MAX_HEARTBEATS: i64 = 1_000;

/// What a log is made from.
pub(crate) struct LogSource<'a> {
    pub(crate) container: &'a str,
    pub(crate) image: &'a str,
    pub(crate) created_at: Timestamp,
    pub(crate) state: &'a ContainerState,
    pub(crate) restarts: u32,
    pub(crate) now: Timestamp,
}

fn line(at: Timestamp, text: &str) -> String {
    format!("{} {text}", at.to_iso8601())
}

/// The log lines, oldest first; the last `tail` when given.
pub(crate) fn render(src: &LogSource<'_>, tail: Option<u64>) -> String {
    let mut lines = vec![line(
        src.created_at,
        &format!("pulling image {}", src.image),
    )];
    match src.state {
        ContainerState::Waiting { reason } => {
            lines.push(line(
                src.now,
                &format!("container {} waiting: {reason}", src.container),
            ));
        }
        ContainerState::Terminated { reason, exit_code } => {
            lines.push(line(
                src.now,
                &format!(
                    "container {} terminated: {reason} ({exit_code})",
                    src.container
                ),
            ));
        }
        ContainerState::Running { started_at } => {
            lines.push(line(
                *started_at,
                &format!(
                    "container {} started (restart count {})",
                    src.container, src.restarts
                ),
            ));
            let beats = (src.now.0.saturating_sub(started_at.0) / HEARTBEAT_MS).max(0);
            let first = beats
                .saturating_sub(MAX_HEARTBEATS)
                .saturating_add(1)
                .max(1);
            for n in first..=beats {
                let at = started_at.plus_millis(n.saturating_mul(HEARTBEAT_MS));
                lines.push(line(at, &format!("{}: heartbeat {n}", src.container)));
            }
        }
    }
    let skip = match tail {
        Some(t) => lines
            .len()
            .saturating_sub(usize::try_from(t).unwrap_or(usize::MAX)),
        None => 0,
    };
    let mut out = lines.into_iter().skip(skip).collect::<Vec<_>>().join("\n");
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_container_logs_grow_with_time_and_tail_cuts() {
        let state = ContainerState::Running {
            started_at: Timestamp(0),
        };
        let src = LogSource {
            container: "app",
            image: "nginx:stable",
            created_at: Timestamp(0),
            state: &state,
            restarts: 0,
            now: Timestamp(35_000),
        };
        let full = render(&src, None);
        assert_eq!(full.lines().count(), 5, "{full}");
        assert!(full.contains("pulling image nginx:stable"));
        assert!(full.contains("app: heartbeat 3"));
        let tail = render(&src, Some(1));
        assert_eq!(tail.lines().count(), 1);
        assert!(tail.contains("heartbeat 3"));
        assert_eq!(render(&src, Some(0)), "");
    }

    #[test]
    fn heartbeats_are_bounded() {
        let state = ContainerState::Running {
            started_at: Timestamp(0),
        };
        let src = LogSource {
            container: "app",
            image: "nginx",
            created_at: Timestamp(0),
            state: &state,
            restarts: 0,
            now: Timestamp(i64::MAX),
        };
        assert_eq!(
            render(&src, None).lines().count(),
            2 + usize::try_from(MAX_HEARTBEATS).unwrap()
        );
    }
}
