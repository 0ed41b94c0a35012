//! Windows: `current` is a file holding the active directory's name, bin-dir
//! entries are hard links or copies, and the user PATH is the registry value
//! `HKCU\Environment\Path`, announced with `WM_SETTINGCHANGE` (as rustup does).

use std::path::Path;

use crate::error::{Error, Result};

use super::{PathValue, UserPathStore};

pub fn read_pointer(pointer: &Path) -> Option<String> {
    let text = std::fs::read_to_string(pointer).ok()?;
    Some(text.trim().to_string())
}

/// `atomic::write_file` writes a temporary sibling and renames it over the
/// pointer (`MoveFileExW` with `MOVEFILE_REPLACE_EXISTING`): one step.
pub fn write_pointer(pointer: &Path, dir_name: &str) -> Result<()> {
    crate::atomic::write_file(pointer, format!("{dir_name}\n").as_bytes())
}

/// Never planned on Windows (`install::bin_entries` gives hard links there).
pub fn replace_symlink(_target: &Path, link: &Path) -> Result<()> {
    Err(Error::internal(format!(
        "a symbolic link was planned at {} on Windows",
        link.display()
    )))
}

pub fn user_path_store() -> Option<Box<dyn UserPathStore>> {
    Some(Box::new(Registry))
}

/// `HKCU\Environment`, value `Path`.
struct Registry;

const KEY: &str = "Environment";
const VALUE: &str = "Path";

fn registry_error(action: &str, e: windows_registry::Result<()>) -> Result<()> {
    e.map_err(|e| {
        Error::other(
            format!("cannot {action} the user PATH in HKCU\\{KEY}: {e}"),
            "add the bin directory to PATH by hand, or run again with --no-modify-path.",
        )
    })
}

impl UserPathStore for Registry {
    fn read(&self) -> Result<Option<PathValue>> {
        use windows_registry::{Type, CURRENT_USER};
        let Ok(key) = CURRENT_USER.open(KEY) else {
            return Ok(None);
        };
        let Ok(value) = key.get_value(VALUE) else {
            return Ok(None);
        };
        let expand = match value.ty() {
            Type::ExpandString => true,
            Type::String => false,
            other => return Err(Error::other(
                format!("the user PATH in HKCU\\{KEY} has the unexpected type {other:?}"),
                "fix that value (it should be REG_EXPAND_SZ), or run again with --no-modify-path.",
            )),
        };
        let text = String::try_from(value).map_err(|e| {
            Error::other(
                format!("cannot read the user PATH in HKCU\\{KEY}: {e}"),
                "fix that value, or run again with --no-modify-path.",
            )
        })?;
        Ok(Some(PathValue { text, expand }))
    }

    fn write(&self, value: &PathValue) -> Result<()> {
        let key = windows_registry::CURRENT_USER.create(KEY);
        let key = match key {
            Ok(key) => key,
            Err(e) => return registry_error("open", Err(e)),
        };
        let written = if value.text.is_empty() {
            key.remove_value(VALUE)
        } else if value.expand {
            key.set_expand_string(VALUE, &value.text)
        } else {
            key.set_string(VALUE, &value.text)
        };
        registry_error("write", written)
    }

    fn announce(&self) {
        use windows_sys::Win32::UI::WindowsAndMessaging::{
            SendMessageTimeoutW, HWND_BROADCAST, SMTO_ABORTIFHUNG, WM_SETTINGCHANGE,
        };
        let area: Vec<u16> = "Environment\0".encode_utf16().collect();
        let mut result = 0usize;
        // SAFETY: `area` is a NUL-terminated UTF-16 string that outlives the
        // call, and `result` is a valid place for the reply.
        unsafe {
            SendMessageTimeoutW(
                HWND_BROADCAST,
                WM_SETTINGCHANGE,
                0,
                area.as_ptr() as isize,
                SMTO_ABORTIFHUNG,
                5000,
                &mut result,
            );
        }
    }
}
