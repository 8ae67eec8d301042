//! A private, throw-away broker for tests that stop or restart it (scripts/kafka on a free port
//! pair), so the shared one is never disturbed.

use super::wait_for;
use super::worker::crate_dir;
use std::net::TcpListener;
use std::process::Command;
use std::time::Duration;

/// A private broker on its own port (and the next one for its controller); purged on drop.
pub struct Broker {
    pub port: u16,
}

impl Broker {
    pub fn kafka(&self, action: &str) {
        let st = Command::new("bash")
            .arg(crate_dir().join("scripts/kafka"))
            .arg(action)
            .env("KAFKA_PORT", self.port.to_string())
            .status()
            .unwrap_or_else(|e| panic!("run scripts/kafka {action}: {e}"));
        assert!(
            st.success(),
            "scripts/kafka {action} (port {}) failed: {st}",
            self.port
        );
    }

    pub fn start_new() -> Broker {
        // Two adjacent free ports: the client port and the controller port after it.
        let port = wait_for(Duration::from_secs(10), "two adjacent free ports", || {
            let a = TcpListener::bind("127.0.0.1:0").ok()?;
            let p = a.local_addr().ok()?.port();
            let _b = TcpListener::bind(("127.0.0.1", p.checked_add(1)?)).ok()?;
            Some(p)
        });
        let b = Broker { port };
        b.kafka("start");
        b
    }

    pub fn bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(crate_dir().join("scripts/kafka"))
            .arg("purge")
            .env("KAFKA_PORT", self.port.to_string())
            .status();
    }
}
