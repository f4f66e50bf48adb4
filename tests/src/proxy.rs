//! A fault-injecting HTTP proxy between terminals and the sync servers. It
//! handles one request per connection, sends each to the next server in
//! turn (round robin, like a load balancer) and, while faulty, drops
//! requests, drops responses after the server committed, repeats requests
//! (to two servers at the same moment, or late, out of order), cuts
//! connections mid-body and delays.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use rand::Rng;

/// How often each fault fired.
#[derive(Default, Debug)]
pub struct FaultStats {
    pub passed: AtomicU64,
    pub dropped_requests: AtomicU64,
    pub dropped_responses: AtomicU64,
    pub repeated: AtomicU64,
    pub replayed_late: AtomicU64,
    pub cut_mid_body: AtomicU64,
    pub delayed: AtomicU64,
}

impl FaultStats {
    pub fn faults(&self) -> u64 {
        [&self.dropped_requests, &self.dropped_responses, &self.repeated, &self.replayed_late, &self.cut_mid_body]
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .sum()
    }
}

#[derive(Clone)]
struct Shared {
    upstreams: Arc<Mutex<Vec<String>>>,
    turn: Arc<AtomicU64>,
    faulty: Arc<AtomicBool>,
    stats: Arc<FaultStats>,
}

pub struct FaultProxy {
    pub url: String,
    shared: Shared,
}

fn host_of(url: &str) -> String {
    url.trim_start_matches("http://").trim_end_matches('/').to_string()
}

impl FaultProxy {
    /// Listens on a free loopback port and forwards to `upstreams`, in turn.
    pub fn start(upstreams: &[String]) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let shared = Shared {
            upstreams: Arc::new(Mutex::new(upstreams.iter().map(|u| host_of(u)).collect())),
            turn: Arc::default(),
            faulty: Arc::new(AtomicBool::new(true)),
            stats: Arc::new(FaultStats::default()),
        };
        let accept = shared.clone();
        thread::spawn(move || {
            for client in listener.incoming().map_while(Result::ok) {
                let shared = accept.clone();
                thread::spawn(move || handle(client, &shared));
            }
        });
        FaultProxy { url, shared }
    }

    /// Points the proxy at the servers as they are now (one restarted, say).
    pub fn set_upstreams(&self, urls: &[String]) {
        *self.shared.upstreams.lock().expect("upstream lock") = urls.iter().map(|u| host_of(u)).collect();
    }

    pub fn set_faulty(&self, faulty: bool) {
        self.shared.faulty.store(faulty, Ordering::SeqCst);
    }

    pub fn stats(&self) -> &FaultStats {
        &self.shared.stats
    }
}

/// Reads one HTTP request: headers (with `connection: close` forced) and body.
fn read_request(client: &mut TcpStream) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let header_end = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
        let n = client.read(&mut chunk).ok().filter(|&n| n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).to_string();
    let length = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse::<usize>()))
        .and_then(Result::ok)
        .unwrap_or(0);
    let mut body = buf[header_end..].to_vec();
    while body.len() < length {
        let n = client.read(&mut chunk).ok().filter(|&n| n > 0)?;
        body.extend_from_slice(&chunk[..n]);
    }
    let mut headers: Vec<&str> =
        head.trim_end().split("\r\n").filter(|l| !l.to_ascii_lowercase().starts_with("connection:")).collect();
    headers.push("connection: close");
    Some((format!("{}\r\n\r\n", headers.join("\r\n")).into_bytes(), body))
}

impl Shared {
    /// The server whose turn it is.
    fn next_upstream(&self) -> String {
        let upstreams = self.upstreams.lock().expect("upstream lock");
        let turn = self.turn.fetch_add(1, Ordering::Relaxed) as usize;
        upstreams[turn % upstreams.len()].clone()
    }
}

/// Sends a request to the next server and reads the whole response.
fn forward(shared: &Shared, head: &[u8], body: &[u8]) -> Option<Vec<u8>> {
    let upstream = shared.next_upstream();
    let mut server = TcpStream::connect(upstream).ok()?;
    server.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    server.write_all(head).ok()?;
    server.write_all(body).ok()?;
    let mut response = Vec::new();
    server.read_to_end(&mut response).ok()?;
    (!response.is_empty()).then_some(response)
}

fn handle(mut client: TcpStream, shared: &Shared) {
    let Some((head, body)) = read_request(&mut client) else {
        return;
    };
    let stats = &shared.stats;
    let roll = if shared.faulty.load(Ordering::SeqCst) { rand::rng().random_range(0..100) } else { 100 };
    let response = match roll {
        0..=9 => {
            stats.dropped_requests.fetch_add(1, Ordering::Relaxed);
            None
        }
        10..=19 => {
            forward(shared, &head, &body);
            stats.dropped_responses.fetch_add(1, Ordering::Relaxed);
            None
        }
        20..=27 => {
            // Twice at the same moment (to two servers, with several).
            let twin = shared.clone();
            let (twin_head, twin_body) = (head.clone(), body.clone());
            let twin = thread::spawn(move || forward(&twin, &twin_head, &twin_body));
            stats.repeated.fetch_add(1, Ordering::Relaxed);
            let response = forward(shared, &head, &body);
            let _ = twin.join();
            response
        }
        28..=35 => {
            let late = shared.clone();
            let (late_head, late_body) = (head.clone(), body.clone());
            thread::spawn(move || {
                thread::sleep(Duration::from_millis(rand::rng().random_range(50..400)));
                forward(&late, &late_head, &late_body);
            });
            stats.replayed_late.fetch_add(1, Ordering::Relaxed);
            forward(shared, &head, &body)
        }
        36..=43 => {
            let upstream = shared.next_upstream();
            if let Ok(mut server) = TcpStream::connect(upstream) {
                let _ = server.write_all(&head);
                let _ = server.write_all(&body[..body.len() / 2]);
            }
            stats.cut_mid_body.fetch_add(1, Ordering::Relaxed);
            None
        }
        44..=59 => {
            thread::sleep(Duration::from_millis(rand::rng().random_range(20..150)));
            stats.delayed.fetch_add(1, Ordering::Relaxed);
            forward(shared, &head, &body)
        }
        _ => {
            stats.passed.fetch_add(1, Ordering::Relaxed);
            forward(shared, &head, &body)
        }
    };
    if let Some(response) = response {
        let _ = client.write_all(&response);
    }
}
