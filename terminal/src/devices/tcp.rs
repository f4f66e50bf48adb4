//! A device on the shop's network (a label printer, a card terminal): its
//! name resolved and a TCP connection made within a time limit.

use std::io;
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

pub fn connect(host: &str, port: u16, within: Duration) -> io::Result<TcpStream> {
    let address = (host, port)
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("{host} has no address")))?;
    TcpStream::connect_timeout(&address, within)
}
