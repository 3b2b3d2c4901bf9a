//! The test peers run by the scripts in `scripts/`: from PyPI the SMTP sink and localstripe,
//! from npm PayPal's stand-in on Prism. Each is started on a free port, beside the packages
//! `scripts/setup.sh --browser` installs outside the clone, and stopped (and waited for) when
//! the test drops it, however the test ends. A node peer also stops when its standard input
//! closes, so one kept for a whole test binary ends with it.

use std::ffi::OsString;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A plain-HTTP client for talking to a peer from a test.
pub type Http = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    http_body_util::Full<bytes::Bytes>,
>;

pub fn http() -> Http {
    hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http()
}

pub struct ScriptPeer {
    child: Child,
    pub port: u16,
}

/// A folder of `scripts/setup.sh`'s, from its variable or its default under the home.
fn installed(variable: &str, default: &str) -> String {
    std::env::var(variable).unwrap_or_else(|_| {
        format!(
            "{}/.cache/tradewind/{default}",
            std::env::var("HOME").unwrap_or_default()
        )
    })
}

impl ScriptPeer {
    /// `python3 scripts/<script> PORT <args>`, once it listens on PORT (15 s at most);
    /// `package` names what `scripts/setup.sh --browser` installs for it.
    pub fn python(script: &str, args: &[OsString], package: &str) -> Self {
        let mut cmd = Command::new("python3");
        cmd.env("PYTHONPATH", installed("TRADEWIND_PYTHON", "python"))
            .stdin(Stdio::null())
            .stderr(Stdio::null());
        Self::start(cmd, script, args, package, Duration::from_secs(15))
    }

    /// `node scripts/<script> PORT <args>`, once it listens (60 s at most: Prism reads large
    /// files first). Its errors go to the test's output.
    pub fn node(script: &str, args: &[&str], package: &str) -> Self {
        let mut cmd = Command::new("node");
        cmd.env("TRADEWIND_NODE", installed("TRADEWIND_NODE", "node"))
            .stdin(Stdio::piped())
            .stderr(Stdio::inherit());
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        Self::start(cmd, script, &args, package, Duration::from_secs(60))
    }

    fn start(
        mut cmd: Command,
        script: &str,
        args: &[OsString],
        package: &str,
        wait: Duration,
    ) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let child = cmd
            .arg(root.join("scripts").join(script))
            .arg(port.to_string())
            .args(args)
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("scripts/{script} does not run (scripts/setup.sh --browser installs {package}): {e}")
            });
        let peer = Self { child, port };
        let tries = wait.as_millis() / 100;
        for _ in 0..tries {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return peer;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("scripts/{script} did not start; run scripts/setup.sh --browser ({package})");
    }
}

impl Drop for ScriptPeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
