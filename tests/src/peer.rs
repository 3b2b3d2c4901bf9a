//! The test peers from PyPI run by the scripts in `scripts/` (the SMTP sink, localstripe):
//! each started on a free port, beside the clone's Python packages, and stopped (and waited
//! for) when the test drops it, however the test ends.

use std::ffi::OsString;
use std::process::{Child, Command, Stdio};

pub struct PythonPeer {
    child: Child,
    pub port: u16,
}

impl PythonPeer {
    /// `python3 scripts/<script> PORT <args>`, once it listens on PORT (15 s at most);
    /// `package` names what `scripts/setup.sh --browser` installs for it.
    pub fn start(script: &str, args: &[OsString], package: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let python = std::env::var("TRADEWIND_PYTHON").unwrap_or_else(|_| {
            format!(
                "{}/.cache/tradewind/python",
                std::env::var("HOME").unwrap_or_default()
            )
        });
        let child = Command::new("python3")
            .arg(root.join("scripts").join(script))
            .arg(port.to_string())
            .args(args)
            .env("PYTHONPATH", python)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("python3 runs scripts/{script} (scripts/setup.sh --browser installs {package}): {e}")
            });
        let peer = Self { child, port };
        for _ in 0..150 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return peer;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("scripts/{script} did not start; run scripts/setup.sh --browser ({package})");
    }
}

impl Drop for PythonPeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
