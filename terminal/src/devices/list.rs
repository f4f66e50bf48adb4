//! Finding devices: serial ports (with USB ids, read from sysfs by
//! serialport without libudev) and USB printers (interface class 7).

use std::path::Path;

use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FoundDevice {
    pub kind: &'static str,
    /// The address to configure it with.
    pub address: String,
    pub description: String,
}

fn sysfs_text(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok().map(|s| s.trim().to_string())
}

/// Serial ports and USB printers on this machine.
pub fn list_devices() -> Vec<FoundDevice> {
    let mut found = Vec::new();
    for port in serialport::available_ports().unwrap_or_default() {
        let description = match &port.port_type {
            serialport::SerialPortType::UsbPort(usb) => format!(
                "USB {:04x}:{:04x} {} {}",
                usb.vid,
                usb.pid,
                usb.manufacturer.as_deref().unwrap_or(""),
                usb.product.as_deref().unwrap_or("")
            ),
            serialport::SerialPortType::PciPort => "PCI serial port".into(),
            serialport::SerialPortType::BluetoothPort => "Bluetooth serial port".into(),
            serialport::SerialPortType::Unknown => "serial port".into(),
        };
        found.push(FoundDevice { kind: "serial", address: format!("serial://{}", port.port_name), description });
    }
    let usb = Path::new("/sys/bus/usb/devices");
    for entry in std::fs::read_dir(usb).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let Some((device, _)) = name.split_once(':') else {
            continue;
        };
        if sysfs_text(&entry.path().join("bInterfaceClass")).as_deref() != Some("07") {
            continue;
        }
        let device = usb.join(device);
        let (Some(vendor), Some(product)) =
            (sysfs_text(&device.join("idVendor")), sysfs_text(&device.join("idProduct")))
        else {
            continue;
        };
        let description = format!(
            "USB printer {} {}",
            sysfs_text(&device.join("manufacturer")).unwrap_or_default(),
            sysfs_text(&device.join("product")).unwrap_or_default()
        );
        found.push(FoundDevice { kind: "printer", address: format!("usb://{vendor}:{product}"), description });
    }
    found
}
