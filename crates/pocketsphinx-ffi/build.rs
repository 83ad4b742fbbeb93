//! Links Debian's libpocketsphinx and libsphinxbase (package libpocketsphinx-dev), found
//! through pkg-config; a missing package is a build error naming it.

fn main() {
    if let Err(e) = pkg_config::Config::new().probe("pocketsphinx") {
        panic!(
            "pocketsphinx not found through pkg-config ({e}); on Debian: \
             apt-get install libpocketsphinx-dev pocketsphinx-en-us"
        );
    }
}
