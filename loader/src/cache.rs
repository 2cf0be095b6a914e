//! The on-disk cache of compiled code ([`DiskCache`]) and its secret key.

use crate::{Error, Result, WASMTIME_VERSION};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hash, Hasher};
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use wasmtime::{Engine, Module};

/// Shortest secret accepted for authenticating cached compiled code.
pub const MIN_CACHE_KEY_BYTES: usize = 32;

/// Largest cache file read; the module's compiled code is a few MiB.
const MAX_CACHE_FILE_BYTES: u64 = 256 << 20;

/// A cache file: this magic, the HMAC-SHA256 tag, then wasmtime's serialized module.
const CACHE_MAGIC: &[u8; 8] = b"KCCWASM1";
const TAG_BYTES: usize = 32;

type HmacSha256 = Hmac<Sha256>;

/// An on-disk cache of compiled code, authenticated with a secret key.
///
/// Loading compiled code runs it as native code, so a cache file is only used when its
/// HMAC-SHA256 tag, computed with the caller's key over the module hash, the wasmtime
/// version, the engine's compatibility hash and the serialized code, verifies (in
/// constant time, before anything is deserialized). The key must be kept outside the
/// directory: whoever can write files there must not be able to read it. Files are
/// read through `O_NOFOLLOW` (a symlink is never followed) and only when they are
/// regular files; they are written to a fresh temporary file created exclusively
/// (`O_CREAT | O_EXCL`, mode 0600), then renamed into place.
#[derive(Clone)]
pub struct DiskCache {
    dir: PathBuf,
    key: Vec<u8>,
}

impl std::fmt::Debug for DiskCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        f.debug_struct("DiskCache").field("dir", &self.dir).finish()
    }
}

impl DiskCache {
    /// A cache in `dir`, authenticated with `key` (at least [`MIN_CACHE_KEY_BYTES`]).
    pub fn new(dir: impl Into<PathBuf>, key: &[u8]) -> Result<Self> {
        if key.len() < MIN_CACHE_KEY_BYTES {
            return Err(Error::ShortKey(key.len()));
        }
        Ok(Self {
            dir: dir.into(),
            key: key.to_vec(),
        })
    }

    /// A cache in `dir` whose key is kept in `key_file` (see [`load_or_create_key_file`]),
    /// which must not lie inside `dir`.
    pub fn with_key_file(dir: impl Into<PathBuf>, key_file: &Path) -> Result<Self> {
        let dir = dir.into();
        create_private_dir(&dir).map_err(|source| Error::CacheDir {
            dir: dir.clone(),
            source,
        })?;
        let key_dir = key_file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        create_private_dir(key_dir).map_err(|source| Error::KeyDir {
            dir: key_dir.to_path_buf(),
            source,
        })?;
        if key_dir.canonicalize()?.starts_with(dir.canonicalize()?) {
            return Err(Error::KeyInsideCache {
                key_file: key_file.to_path_buf(),
                dir,
            });
        }
        let key = load_or_create_key_file(key_file)?;
        Self::new(dir, &key)
    }

    /// The directory the cache files are kept in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The cache file for the module with SHA-256 `hash` on `engine`.
    pub fn file(&self, engine: &Engine, hash: &str) -> PathBuf {
        self.dir.join(format!(
            "kuracloud-{}-wasmtime-{WASMTIME_VERSION}-{:016x}.cwasm",
            &hash[..16],
            compatibility(engine)
        ))
    }

    /// The tag of `compiled`, the serialized code of the module with SHA-256 `hash`.
    fn mac(&self, engine: &Engine, hash: &str, compiled: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(b"kuracloud compiled code v1\0");
        mac.update(hash.as_bytes());
        mac.update(b"\0");
        mac.update(WASMTIME_VERSION.as_bytes());
        mac.update(b"\0");
        mac.update(&compatibility(engine).to_le_bytes());
        mac.update(&(compiled.len() as u64).to_le_bytes());
        mac.update(compiled);
        mac
    }

    /// The compiled module from its cache file, if there is one and its tag verifies.
    /// Anything else found under that name is removed.
    pub(crate) fn read(&self, engine: &Engine, hash: &str) -> Option<Module> {
        let file = self.file(engine, hash);
        // Read, then deserialize from memory: a mapped file that another process
        // truncates would crash us (SIGBUS); a copy cannot.
        let contents = match read_regular_file(&file, MAX_CACHE_FILE_BYTES) {
            Ok(contents) => contents,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(_) => {
                let _ = std::fs::remove_file(&file);
                return None;
            }
        };
        let verified = contents
            .strip_prefix(CACHE_MAGIC.as_slice())
            .filter(|rest| rest.len() > TAG_BYTES)
            .map(|rest| rest.split_at(TAG_BYTES))
            .filter(|(tag, compiled)| {
                // `verify_slice` compares in constant time.
                self.mac(engine, hash, compiled).verify_slice(tag).is_ok()
            });
        let Some((_, compiled)) = verified else {
            let _ = std::fs::remove_file(&file);
            return None;
        };
        // SAFETY: `compiled` is exactly what `write` serialized from a module this host
        // compiled: its HMAC tag, keyed by a secret that whoever can write to the cache
        // directory does not know, binds it to this module's hash, this wasmtime and
        // these engine settings; and it is a private copy in memory that nobody else
        // can change while wasmtime reads it.
        #[allow(unsafe_code)] // sound: see the SAFETY comment above
        let module = unsafe { Module::deserialize(engine, compiled) };
        match module {
            Ok(module) => Some(module),
            Err(_) => {
                let _ = std::fs::remove_file(&file);
                None
            }
        }
    }

    /// Writes `module`'s compiled code with its tag: into a new temporary file from
    /// `temp_name` (created exclusively, so a planted file or symlink is never written
    /// through; the next name is tried), then renamed over the cache file.
    pub(crate) fn write(
        &self,
        engine: &Engine,
        hash: &str,
        module: &Module,
        temp_name: &mut dyn FnMut() -> PathBuf,
    ) -> Result<()> {
        create_private_dir(&self.dir)?;
        let compiled = module.serialize().map_err(Error::Serialize)?;
        let tag = self.mac(engine, hash, &compiled).finalize().into_bytes();
        for _ in 0..8 {
            let tmp = temp_name();
            let mut out = match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .custom_flags(libc::O_NOFOLLOW)
                .open(&tmp)
            {
                Ok(out) => out,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e.into()),
            };
            let written = out
                .write_all(CACHE_MAGIC)
                .and_then(|_| out.write_all(&tag))
                .and_then(|_| out.write_all(&compiled))
                .and_then(|_| std::fs::rename(&tmp, self.file(engine, hash)));
            if let Err(e) = written {
                let _ = std::fs::remove_file(&tmp);
                return Err(e.into());
            }
            return Ok(());
        }
        Err(Error::NoTempName {
            dir: self.dir.clone(),
        })
    }

    /// A temporary file name next to the cache file that nobody can predict.
    pub(crate) fn temp_name(&self, engine: &Engine, hash: &str) -> PathBuf {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        // `RandomState` is seeded from the operating system's random source.
        let mut h = RandomState::new().build_hasher();
        std::process::id().hash(&mut h);
        COUNTER.fetch_add(1, Ordering::Relaxed).hash(&mut h);
        let file = self.file(engine, hash);
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        self.dir.join(format!(".{name}.{:016x}.tmp", h.finish()))
    }
}

/// The engine settings compiled code depends on, as one number.
fn compatibility(engine: &Engine) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut h);
    h.finish()
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// The bytes of `file` if it is a regular file of at most `max` bytes. A symlink is not
/// followed, and a FIFO or device is not waited on.
fn read_regular_file(file: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, ErrorKind};
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(file)?;
    let meta = f.metadata()?;
    if !meta.is_file() {
        return Err(Error::new(ErrorKind::InvalidData, "not a regular file"));
    }
    if meta.len() > max {
        return Err(Error::new(ErrorKind::InvalidData, "too large"));
    }
    let mut contents = Vec::with_capacity(meta.len() as usize);
    f.take(max + 1).read_to_end(&mut contents)?;
    if contents.len() as u64 > max {
        return Err(Error::new(ErrorKind::InvalidData, "too large"));
    }
    Ok(contents)
}

/// The secret in `path`, created there first (32 random bytes, mode 0600, published
/// atomically) when the file does not exist. An existing file must be a regular file
/// (not a symlink) that only its owner can read or write, holding at least
/// [`MIN_CACHE_KEY_BYTES`] bytes.
pub fn load_or_create_key_file(path: &Path) -> Result<Vec<u8>> {
    match read_key_file(path) {
        Err(Error::OpenKeyFile { source, .. }) if source.kind() == ErrorKind::NotFound => {}
        other => return other,
    }
    let mut key = [0u8; MIN_CACHE_KEY_BYTES];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut r| r.read_exact(&mut key))
        .map_err(Error::Random)?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    create_private_dir(dir).map_err(|source| Error::Create {
        path: dir.to_path_buf(),
        source,
    })?;
    let unique = RandomState::new().hash_one(std::process::id());
    let tmp = dir.join(format!(".kuracloud-key.{unique:016x}.tmp"));
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(|source| Error::Create {
            path: tmp.clone(),
            source,
        })?;
    let published = out
        .write_all(&key)
        .and_then(|_| out.sync_all())
        // A hard link fails if the name exists: of two processes creating the key at
        // once, one wins and the other reads the winner's key.
        .and_then(|_| match std::fs::hard_link(&tmp, path) {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            other => other,
        });
    let _ = std::fs::remove_file(&tmp);
    published.map_err(|source| Error::CreateKeyFile {
        path: path.to_path_buf(),
        source,
    })?;
    read_key_file(path)
}

fn read_key_file(path: &Path) -> Result<Vec<u8>> {
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|source| {
            let path = path.to_path_buf();
            if source.raw_os_error() == Some(libc::ELOOP) {
                Error::KeyFileSymlink { path }
            } else {
                Error::OpenKeyFile { path, source }
            }
        })?;
    let meta = f.metadata()?;
    if !meta.is_file() {
        return Err(Error::KeyFileNotRegular {
            path: path.to_path_buf(),
        });
    }
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(Error::KeyFileNotPrivate {
            path: path.to_path_buf(),
        });
    }
    let mut key = Vec::new();
    f.take(4096).read_to_end(&mut key)?;
    if key.len() < MIN_CACHE_KEY_BYTES {
        return Err(Error::KeyFileShort {
            path: path.to_path_buf(),
            len: key.len(),
        });
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{engine, sha256_hex, KcModule};
    use std::os::unix::ffi::OsStrExt;
    use wasmtime::{Instance, Store};

    /// `(module (func (export "f") (result i32) i32.const 42))`
    const ANSWER_WASM: &[u8] = &[
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // header
        0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // type: [] -> [i32]
        0x03, 0x02, 0x01, 0x00, // function 0 has type 0
        0x07, 0x05, 0x01, 0x01, b'f', 0x00, 0x00, // export "f" = function 0
        0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2a, 0x0b, // body: i32.const 42
    ];

    const KEY: [u8; 32] = [0x5a; 32];

    /// A fresh directory for one test.
    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("kc-module-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Runs the module's `f`: the compiled code works.
    fn answer(module: &KcModule) -> i32 {
        let mut store = Store::new(&module.engine, ());
        store.set_epoch_deadline(1_000);
        let instance = Instance::new(&mut store, &module.module, &[]).unwrap();
        let f = instance.get_typed_func::<(), i32>(&mut store, "f").unwrap();
        f.call(&mut store, ()).unwrap()
    }

    fn load(cache: &DiskCache) -> KcModule {
        KcModule::from_bytes(ANSWER_WASM, Some(cache)).unwrap()
    }

    fn cache_file(cache: &DiskCache) -> PathBuf {
        cache.file(&engine().unwrap(), &sha256_hex(ANSWER_WASM))
    }

    /// Recompiled on this load, then loaded from a good file on the next.
    fn assert_recompiled_and_rewritten(cache: &DiskCache) {
        let module = load(cache);
        assert!(!module.from_cache, "an untrusted cache file was loaded");
        assert_eq!(answer(&module), 42);
        let again = load(cache);
        assert!(again.from_cache, "the rejected file was not rewritten");
        assert_eq!(answer(&again), 42);
    }

    #[test]
    fn a_good_file_loads_from_disk() {
        let dir = scratch("good");
        let cache = DiskCache::new(&dir, &KEY).unwrap();
        let first = load(&cache);
        assert!(!first.from_cache);
        let file = cache_file(&cache);
        let meta = std::fs::symlink_metadata(&file).unwrap();
        assert!(meta.is_file());
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        assert!(std::fs::read(&file).unwrap().starts_with(CACHE_MAGIC));
        let second = load(&cache);
        assert!(second.from_cache);
        assert_eq!(answer(&second), 42);
        // Nothing but the cache file is left behind.
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_flipped_byte_is_rejected_and_recompiled() {
        let dir = scratch("flipped");
        let cache = DiskCache::new(&dir, &KEY).unwrap();
        load(&cache);
        let file = cache_file(&cache);
        let good = std::fs::read(&file).unwrap();
        // In the code, in the tag, in the magic, and the last byte.
        for at in [good.len() / 2, CACHE_MAGIC.len() + 5, 0, good.len() - 1] {
            let mut bad = good.clone();
            bad[at] ^= 0x01;
            std::fs::write(&file, &bad).unwrap();
            assert_recompiled_and_rewritten(&cache);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_file_signed_with_another_key_is_rejected_and_recompiled() {
        let dir = scratch("other-key");
        let theirs = DiskCache::new(&dir, &[0xa5; 32]).unwrap();
        assert!(!load(&theirs).from_cache);
        assert!(load(&theirs).from_cache);
        let ours = DiskCache::new(&dir, &KEY).unwrap();
        assert_recompiled_and_rewritten(&ours);
        // And the other way round: the file is now ours, not theirs.
        assert!(!load(&theirs).from_cache);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_file_without_a_tag_is_rejected_and_recompiled() {
        let dir = scratch("untagged");
        let cache = DiskCache::new(&dir, &KEY).unwrap();
        let file = cache_file(&cache);
        let module = Module::new(&engine().unwrap(), ANSWER_WASM).unwrap();
        let serialized = module.serialize().unwrap();
        // Real code under a made-up tag, what wasmtime itself writes (and this cache
        // wrote before it had tags), and the magic with no tag or no code after it.
        let mut magic_then_code = CACHE_MAGIC.to_vec();
        magic_then_code.extend_from_slice(&serialized);
        let mut magic_then_tag = CACHE_MAGIC.to_vec();
        magic_then_tag.extend_from_slice(&[0u8; TAG_BYTES]);
        let mut made_up_tag = magic_then_tag.clone();
        made_up_tag.extend_from_slice(&serialized);
        for planted in [
            made_up_tag,
            serialized.clone(),
            magic_then_code,
            magic_then_tag,
            CACHE_MAGIC.to_vec(),
            Vec::new(),
        ] {
            std::fs::write(&file, &planted).unwrap();
            assert_recompiled_and_rewritten(&cache);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_symlink_at_the_temporary_path_is_not_followed() {
        let dir = scratch("tmp-symlink");
        let cache = DiskCache::new(dir.join("cache"), &KEY).unwrap();
        let engine = engine().unwrap();
        let hash = sha256_hex(ANSWER_WASM);
        let module = Module::new(&engine, ANSWER_WASM).unwrap();
        // A file the attacker wants overwritten, and a symlink to it at the temporary
        // name the writer picks first.
        let victim = dir.join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        std::fs::create_dir_all(cache.dir()).unwrap();
        let planted = cache.dir().join(".planted.tmp");
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        let mut names = vec![cache.temp_name(&engine, &hash), planted.clone()];
        cache
            .write(&engine, &hash, &module, &mut || names.pop().unwrap())
            .unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert!(std::fs::symlink_metadata(&planted)
            .unwrap()
            .file_type()
            .is_symlink());
        // The writer moved on to a fresh name; the file it wrote is good.
        let loaded = load(&cache);
        assert!(loaded.from_cache);
        assert_eq!(answer(&loaded), 42);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_symlink_or_fifo_at_the_cache_path_is_rejected_and_recompiled() {
        let dir = scratch("cache-symlink");
        let cache = DiskCache::new(dir.join("cache"), &KEY).unwrap();
        load(&cache);
        let file = cache_file(&cache);
        // A symlink to a good file is not followed either: whatever it points to.
        let elsewhere = dir.join("elsewhere.cwasm");
        std::fs::rename(&file, &elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &file).unwrap();
        assert_recompiled_and_rewritten(&cache);
        assert!(!std::fs::symlink_metadata(&file)
            .unwrap()
            .file_type()
            .is_symlink());
        assert!(elsewhere.exists());
        // A FIFO would block a plain read forever.
        std::fs::remove_file(&file).unwrap();
        let path = std::ffi::CString::new(file.as_os_str().as_bytes()).unwrap();
        // SAFETY: `mkfifo` only reads `path`, a valid NUL-terminated string that lives
        // across the call.
        #[allow(unsafe_code)] // sound: see the SAFETY comment above
        let made = unsafe { libc::mkfifo(path.as_ptr(), 0o600) };
        assert_eq!(made, 0);
        assert_recompiled_and_rewritten(&cache);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_short_key_is_refused() {
        let err = DiskCache::new("/nonexistent", &[1u8; 31]).unwrap_err();
        assert!(err.to_string().contains("at least 32 bytes"), "{err}");
        assert!(DiskCache::new("/nonexistent", &[1u8; 32]).is_ok());
    }

    #[test]
    fn the_key_file_is_created_private_and_kept() {
        let dir = scratch("key-file");
        let path = dir.join("keys/cache.key");
        let key = load_or_create_key_file(&path).unwrap();
        assert_eq!(key.len(), MIN_CACHE_KEY_BYTES);
        assert_ne!(key, vec![0u8; MIN_CACHE_KEY_BYTES]);
        let meta = std::fs::symlink_metadata(&path).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        assert_eq!(load_or_create_key_file(&path).unwrap(), key);
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.join("keys")).unwrap().count(), 1);
        // Another file gets another key.
        assert_ne!(
            load_or_create_key_file(&dir.join("keys/other.key")).unwrap(),
            key
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_unsafe_key_file_is_refused() {
        let dir = scratch("bad-key-file");
        let open = dir.join("open.key");
        std::fs::write(&open, [3u8; 32]).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = load_or_create_key_file(&open).unwrap_err();
        assert!(err.to_string().contains("chmod 600"), "{err}");
        let short = dir.join("short.key");
        std::fs::write(&short, [3u8; 16]).unwrap();
        std::fs::set_permissions(&short, std::fs::Permissions::from_mode(0o600)).unwrap();
        let err = load_or_create_key_file(&short).unwrap_err();
        assert!(err.to_string().contains("at least 32"), "{err}");
        let link = dir.join("link.key");
        std::os::unix::fs::symlink(&short, &link).unwrap();
        let err = load_or_create_key_file(&link).unwrap_err();
        assert!(err.to_string().contains("symlink"), "{err}");
        // A key inside the cache directory is no secret from whoever writes there.
        let err =
            DiskCache::with_key_file(dir.join("cache"), &dir.join("cache/k.key")).unwrap_err();
        assert!(
            err.to_string().contains("outside the cache directory"),
            "{err}"
        );
        let cache = DiskCache::with_key_file(dir.join("cache"), &dir.join("cache.key")).unwrap();
        assert!(!load(&cache).from_cache);
        assert!(load(&cache).from_cache);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
