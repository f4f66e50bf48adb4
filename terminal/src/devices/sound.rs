//! Scan feedback by ear: a short high tone when a scan lands, a low double
//! tone when it is refused, played by the machine's own audio player
//! (PipeWire, PulseAudio or ALSA) where there is one, never blocking the
//! till. A machine without audio stays silent.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What a tone tells the cashier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cue {
    /// The scan landed in the cart.
    Scanned,
    /// The scan was refused (unknown code, not sellable): look at the screen.
    Refused,
}

impl Cue {
    fn file_name(self) -> &'static str {
        match self {
            Cue::Scanned => "scan-ok.wav",
            Cue::Refused => "scan-refused.wav",
        }
    }

    /// (frequency in Hz, milliseconds) for each tone, with a short gap between.
    fn tones(self) -> &'static [(u32, u32)] {
        match self {
            Cue::Scanned => &[(1760, 70)],
            Cue::Refused => &[(330, 140), (330, 140)],
        }
    }
}

/// The players tried, in order, when `sound = "auto"`.
const PLAYERS: &[&str] = &["pw-play", "paplay", "aplay"];

const SAMPLE_RATE: u32 = 16_000;

/// A mono 16-bit PCM WAV of the cue's tones.
pub fn wav(cue: Cue) -> Vec<u8> {
    let gap = SAMPLE_RATE / 20;
    let mut samples: Vec<i16> = Vec::new();
    for (i, &(hz, ms)) in cue.tones().iter().enumerate() {
        if i > 0 {
            samples.extend(std::iter::repeat_n(0, gap as usize));
        }
        let n = SAMPLE_RATE * ms / 1000;
        samples.extend((0..n).map(|k| {
            let t = k as f64 / SAMPLE_RATE as f64;
            // A 5 ms fade at both ends keeps the speaker from clicking.
            let edge = (k.min(n - 1 - k) as f64 / (SAMPLE_RATE as f64 * 0.005)).min(1.0);
            (f64::sin(2.0 * std::f64::consts::PI * hz as f64 * t) * edge * 0.4 * i16::MAX as f64) as i16
        }));
    }
    let data_len = (samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + data_len as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&SAMPLE_RATE.to_le_bytes());
    out.extend_from_slice(&(SAMPLE_RATE * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    out.extend(samples.iter().flat_map(|s| s.to_le_bytes()));
    out
}

/// Plays cues through one audio player, or stays silent.
#[derive(Debug, Default)]
pub struct Speaker {
    player: Option<PathBuf>,
    /// Where the cue files are written once.
    dir: PathBuf,
}

impl Speaker {
    /// The speaker `devices.toml` asks for: `auto` (the first audio player
    /// found on the PATH), `off`, or a player's path. The cue files go to
    /// `dir`.
    pub fn new(setting: &str, dir: &Path) -> Speaker {
        let player = match setting.trim() {
            "off" => None,
            "auto" => PLAYERS.iter().find_map(|name| on_path(name)),
            path => Some(PathBuf::from(path)),
        };
        Speaker { player, dir: dir.to_path_buf() }
    }

    pub fn is_silent(&self) -> bool {
        self.player.is_none()
    }

    /// Starts the cue and returns at once; a player that fails is ignored
    /// (sound is a courtesy, the screen says the same).
    pub fn play(&self, cue: Cue) {
        let Some(player) = &self.player else { return };
        let file = self.dir.join(cue.file_name());
        if !file.exists() && std::fs::write(&file, wav(cue)).is_err() {
            return;
        }
        let spawned =
            Command::new(player).arg(&file).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn();
        if let Ok(mut child) = spawned {
            // Reaped off the UI thread, so no zombie is left behind.
            std::thread::spawn(move || child.wait());
        }
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|dir| dir.join(name)).find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cues_are_valid_wavs_of_the_right_length() {
        for (cue, ms) in [(Cue::Scanned, 70), (Cue::Refused, 330)] {
            let bytes = wav(cue);
            assert_eq!(&bytes[..4], b"RIFF");
            assert_eq!(&bytes[8..16], b"WAVEfmt ");
            let data_len = u32::from_le_bytes(bytes[40..44].try_into().unwrap()) as usize;
            assert_eq!(bytes.len(), 44 + data_len);
            assert_eq!(data_len / 2, (SAMPLE_RATE * ms / 1000) as usize, "{cue:?}");
        }
        assert_ne!(wav(Cue::Scanned), wav(Cue::Refused));
    }

    #[test]
    fn off_is_silent_and_a_path_is_used_as_given() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Speaker::new("off", dir.path()).is_silent());
        assert!(!Speaker::new("/usr/bin/true", dir.path()).is_silent());
    }
}
