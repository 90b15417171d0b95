//! The `vigie` binary: the web server (`vigie serve`, the default) and the administration
//! commands. Everything lives in the library; this only hands over to [`vigie::cli`].

fn main() -> std::process::ExitCode {
    vigie::cli::main()
}
