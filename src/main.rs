//! The `vigie` binary: the web server (`vigie serve`, the default) and the administration
//! commands. Everything lives in the library; this only hands over to [`vigie::cli`].

fn main() -> std::process::ExitCode {
    tune_allocator();
    vigie::cli::main()
}

/// Each Argon2id hash takes 19 MiB. glibc's allocator raises its mmap threshold after such a
/// block is freed, and from then on keeps them in per-thread arenas: resident memory would
/// grow with every blocking thread that ever hashed. A fixed threshold (and few arenas) returns
/// each block to the system when the hash is done.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    // Safety: mallopt only sets allocator parameters; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}
