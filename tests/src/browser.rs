//! A real Chromium for the back office's tests, driven over WebDriver
//! (Debian's `chromium` and `chromium-driver`, which `scripts/setup` and
//! `.ci/run` install): its own chromedriver on a free port, headless, a
//! fresh profile per browser. Calls block, so tests read as a person's
//! steps.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

/// How long a page or an element may take to appear.
const PATIENCE: Duration = Duration::from_secs(20);

/// A headless Chromium and the chromedriver driving it.
pub struct Browser {
    runtime: tokio::runtime::Runtime,
    client: Option<Client>,
    driver: Child,
    /// The server the browser visits, as `http://127.0.0.1:PORT`.
    pub base: String,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

impl Browser {
    /// Opens a browser on the server at `base`.
    pub fn open(base: &str) -> Browser {
        let driver_path = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect("chromedriver is missing: run scripts/setup (apt-get install chromium chromium-driver)");
        let port = free_port();
        let driver = Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1280,1000", "--lang=en-GB"],
            }),
        );
        let started = Instant::now();
        let client = loop {
            let connected = runtime.block_on(
                ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                    .capabilities(capabilities.clone())
                    .connect(&format!("http://127.0.0.1:{port}")),
            );
            match connected {
                Ok(client) => break client,
                Err(error) if started.elapsed() > PATIENCE => panic!("chromedriver did not answer: {error}"),
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        };
        Browser { runtime, client: Some(client), driver, base: base.trim_end_matches('/').to_string() }
    }

    fn client(&self) -> &Client {
        self.client.as_ref().expect("open")
    }

    /// Goes to a path of the server (`/office/catalog`).
    pub fn visit(&self, path: &str) {
        self.runtime.block_on(self.client().goto(&format!("{}{path}", self.base))).expect("navigate");
    }

    /// The element `css` matches, once it is there.
    fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.runtime
            .block_on(self.client().wait().at_most(PATIENCE).for_element(Locator::Css(css)))
            .unwrap_or_else(|e| panic!("no `{css}` on {}: {e}\n{}", self.path(), self.text("body")))
    }

    /// Clears a field and types into it, key by key.
    pub fn fill(&self, css: &str, text: &str) {
        let field = self.find(css);
        self.runtime.block_on(async {
            field.clear().await.expect("clear");
            field.send_keys(text).await.expect("type");
        });
    }

    /// Presses keys in the focused element (`\u{E004}` is Tab, `\u{E007}` Enter).
    pub fn keys(&self, css: &str, keys: &str) {
        let field = self.find(css);
        self.runtime.block_on(field.send_keys(keys)).expect("keys");
    }

    /// Chooses the option with value `value` of a select.
    pub fn choose(&self, css: &str, value: &str) {
        let select = self.find(css);
        self.runtime.block_on(select.select_by_value(value)).expect("choose");
    }

    pub fn click(&self, css: &str) {
        let element = self.find(css);
        self.runtime.block_on(element.click()).expect("click");
    }

    /// The text of the first element `css` matches.
    pub fn text(&self, css: &str) -> String {
        let element = self.runtime.block_on(self.client().find(Locator::Css(css)));
        element.map_or_else(|_| String::new(), |e| self.runtime.block_on(e.text()).unwrap_or_default())
    }

    /// Waits until the page's body contains `wanted`; returns the body's text.
    pub fn wait_for_text(&self, wanted: &str) -> String {
        let started = Instant::now();
        loop {
            let body = self.text("body");
            if body.contains(wanted) {
                return body;
            }
            assert!(started.elapsed() < PATIENCE, "`{wanted}` never appeared on {}:\n{body}", self.path());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The current path and query.
    pub fn path(&self) -> String {
        let url = self.runtime.block_on(self.client().current_url()).expect("url");
        url.as_str().trim_start_matches(&self.base).to_string()
    }

    /// Runs a script in the page and returns what it returns.
    pub fn script(&self, js: &str) -> serde_json::Value {
        self.runtime.block_on(self.client().execute(js, Vec::new())).expect("script")
    }

    /// The value of a cookie (HttpOnly ones too: WebDriver sees them all).
    pub fn cookie(&self, name: &str) -> String {
        let cookie = self.runtime.block_on(self.client().get_named_cookie(name)).expect("cookie");
        cookie.value().to_string()
    }

    /// A screenshot of the window as PNG.
    pub fn screenshot(&self, to: &Path) {
        let png = self.runtime.block_on(self.client().screenshot()).expect("screenshot");
        std::fs::write(to, png).expect("write screenshot");
    }

    /// Gives a file to a file field, as choosing it in the dialog does.
    pub fn upload(&self, css: &str, file: &Path) {
        let field = self.find(css);
        self.runtime.block_on(field.send_keys(file.to_str().expect("path"))).expect("choose file");
    }

    /// Every visible form field without a label, and whether the page has
    /// exactly one `h1`: what a screen-reader user needs first.
    pub fn unlabelled_fields(&self) -> Vec<String> {
        let found = self.script(
            "return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
               .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
               .map(e => e.name || e.id)
               .concat(document.querySelectorAll('h1').length === 1 ? [] : ['(no single h1)'])",
        );
        serde_json::from_value(found).expect("names")
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            let _ = self.runtime.block_on(client.close());
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
