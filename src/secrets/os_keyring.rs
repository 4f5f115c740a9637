//! The OS keyring (Secret Service on Linux and the BSDs, Keychain on
//! macOS, Credential Manager on Windows) as a home for pending secrets.
//! Each secret is one entry; the store's record file names the entry.

use zeroize::Zeroizing;

/// Every entry Portico writes carries this service name.
const SERVICE: &str = "portico";

/// The keyring's own error text, which names the store and the failure,
/// never the value.
fn problem(err: &keyring::Error) -> String {
    format!("the OS keyring: {err}")
}

fn entry(account: &str) -> Result<keyring::Entry, String> {
    keyring::Entry::new(SERVICE, account).map_err(|e| problem(&e))
}

pub fn put(account: &str, secret: &str) -> Result<(), String> {
    entry(account)?
        .set_password(secret)
        .map_err(|e| problem(&e))
}

pub fn get(account: &str) -> Result<Zeroizing<String>, String> {
    entry(account)?
        .get_password()
        .map(Zeroizing::new)
        .map_err(|e| problem(&e))
}

/// Removes the entry; one that is already gone counts as removed.
pub fn delete(account: &str) -> Result<(), String> {
    match entry(account)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(err) => Err(problem(&err)),
    }
}

/// Whether a keyring answers here: a probe entry is written, read back
/// and removed.
pub fn status() -> Result<(), String> {
    let account = format!("probe-{}", uuid::Uuid::new_v4());
    put(&account, "probe")?;
    let read = get(&account);
    delete(&account)?;
    match read {
        Ok(value) if value.as_str() == "probe" => Ok(()),
        Ok(_) => Err("the OS keyring returned another value than it was given".into()),
        Err(err) => Err(err),
    }
}
