//! Which renderer suits this machine: the GPU (wgpu) where the machine has
//! one, else the CPU renderer (tiny-skia), which draws the same frames in a
//! fraction of the memory wgpu's software fallback takes. `ICED_BACKEND`,
//! when set, still decides.

use std::path::Path;

/// The `ICED_BACKEND` value for a machine with or without a GPU, unless
/// one was set.
pub fn choose(configured: Option<&str>, has_gpu: bool) -> String {
    match configured.map(str::trim).filter(|c| !c.is_empty()) {
        Some(configured) => configured.to_string(),
        None if has_gpu => "wgpu,tiny-skia".to_string(),
        None => "tiny-skia".to_string(),
    }
}

/// Whether `dev_dri` (normally `/dev/dri`) holds a GPU render node.
pub fn has_render_node(dev_dri: &Path) -> bool {
    std::fs::read_dir(dev_dri)
        .is_ok_and(|entries| entries.flatten().any(|e| e.file_name().to_string_lossy().starts_with("renderD")))
}

/// When nothing chose a renderer yet, becomes this same program again with
/// the one that suits the machine in its environment (a process's own
/// environment is not safely changed once it runs). Returns only on
/// failure; `None` when the renderer is already chosen: go on as is.
pub fn relaunch_with_choice() -> Option<std::io::Error> {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("ICED_BACKEND").is_some() {
        return None;
    }
    let backend = choose(None, has_render_node(Path::new("/dev/dri")));
    let program = match std::env::current_exe() {
        Ok(program) => program,
        Err(e) => return Some(e),
    };
    Some(std::process::Command::new(program).args(std::env::args_os().skip(1)).env("ICED_BACKEND", backend).exec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cpu_renderer_without_a_gpu_and_the_users_choice_wins() {
        assert_eq!(choose(None, false), "tiny-skia");
        assert_eq!(choose(None, true), "wgpu,tiny-skia");
        assert_eq!(choose(Some("wgpu"), false), "wgpu");
        assert_eq!(choose(Some(" "), false), "tiny-skia");
        let dir = tempfile::tempdir().unwrap();
        assert!(!has_render_node(dir.path()));
        std::fs::write(dir.path().join("card0"), "").unwrap();
        assert!(!has_render_node(dir.path()), "a card without a render node");
        std::fs::write(dir.path().join("renderD128"), "").unwrap();
        assert!(has_render_node(dir.path()));
        assert!(!has_render_node(&dir.path().join("missing")));
    }
}
