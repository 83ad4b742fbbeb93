//! The raw declarations, written by hand against Debian bookworm's headers of
//! libpocketsphinx-dev / libsphinxbase-dev 0.8+5prealpha+1-15
//! (`/usr/include/pocketsphinx/pocketsphinx.h`, `/usr/include/x86_64-linux-gnu/sphinxbase/
//! {cmd_ln,logmath,prim_type}.h`). Only the functions [`crate::Decoder`] calls are declared.
//! Types as `prim_type.h` defines them: `int32` is `int`, `int16` is `short`, `float64` is
//! `double`. The 2016 crates.io `pocketsphinx-sys` declares an older API (`ps_process_raw`
//! with other arguments, `ps_get_hyp` with an utterance id); these are the 5prealpha ones.

use std::ffi::{c_char, c_double, c_int, c_short};

/// `ps_decoder_t` (opaque).
#[repr(C)]
pub struct PsDecoder {
    _private: [u8; 0],
}
/// `cmd_ln_t` (opaque).
#[repr(C)]
pub struct CmdLn {
    _private: [u8; 0],
}
/// `arg_t` (only passed by pointer here).
#[repr(C)]
pub struct Arg {
    _private: [u8; 0],
}
/// `ps_seg_t` (opaque).
#[repr(C)]
pub struct PsSeg {
    _private: [u8; 0],
}
/// `logmath_t` (opaque).
#[repr(C)]
pub struct LogMath {
    _private: [u8; 0],
}

#[link(name = "pocketsphinx")]
extern "C" {
    /// `arg_t const *ps_args(void);` static table.
    pub fn ps_args() -> *const Arg;
    /// `ps_decoder_t *ps_init(cmd_ln_t *config);` retains `config`; NULL on failure.
    pub fn ps_init(config: *mut CmdLn) -> *mut PsDecoder;
    /// `int ps_free(ps_decoder_t *ps);`
    pub fn ps_free(ps: *mut PsDecoder) -> c_int;
    /// `logmath_t *ps_get_logmath(ps_decoder_t *ps);` owned by the decoder.
    pub fn ps_get_logmath(ps: *mut PsDecoder) -> *mut LogMath;
    /// `int ps_start_utt(ps_decoder_t *ps);`
    pub fn ps_start_utt(ps: *mut PsDecoder) -> c_int;
    /// `int ps_process_raw(ps_decoder_t *ps, int16 const *data, size_t n_samples,
    /// int no_search, int full_utt);`
    pub fn ps_process_raw(
        ps: *mut PsDecoder,
        data: *const c_short,
        n_samples: usize,
        no_search: c_int,
        full_utt: c_int,
    ) -> c_int;
    /// `int ps_end_utt(ps_decoder_t *ps);`
    pub fn ps_end_utt(ps: *mut PsDecoder) -> c_int;
    /// `char const *ps_get_hyp(ps_decoder_t *ps, int32 *out_best_score);` owned by the
    /// decoder, valid until the next decoding call; NULL when there is no hypothesis.
    pub fn ps_get_hyp(ps: *mut PsDecoder, out_best_score: *mut c_int) -> *const c_char;
    /// `int32 ps_get_prob(ps_decoder_t *ps);` log posterior (decoder's log base).
    pub fn ps_get_prob(ps: *mut PsDecoder) -> c_int;
    /// `ps_seg_t *ps_seg_iter(ps_decoder_t *ps);` NULL when there is no hypothesis.
    pub fn ps_seg_iter(ps: *mut PsDecoder) -> *mut PsSeg;
    /// `ps_seg_t *ps_seg_next(ps_seg_t *seg);` NULL at the end, the iterator then freed.
    pub fn ps_seg_next(seg: *mut PsSeg) -> *mut PsSeg;
    /// `char const *ps_seg_word(ps_seg_t *seg);` valid until the next `ps_seg_next`.
    pub fn ps_seg_word(seg: *mut PsSeg) -> *const c_char;
    /// `void ps_seg_frames(ps_seg_t *seg, int *out_sf, int *out_ef);`
    pub fn ps_seg_frames(seg: *mut PsSeg, out_sf: *mut c_int, out_ef: *mut c_int);
    /// `int32 ps_seg_prob(ps_seg_t *seg, int32 *out_ascr, int32 *out_lscr,
    /// int32 *out_lback);` log posterior of the word.
    pub fn ps_seg_prob(
        seg: *mut PsSeg,
        out_ascr: *mut c_int,
        out_lscr: *mut c_int,
        out_lback: *mut c_int,
    ) -> c_int;
    /// `void ps_get_utt_time(ps_decoder_t *ps, double *out_nspeech, double *out_ncpu,
    /// double *out_nwall);`
    pub fn ps_get_utt_time(
        ps: *mut PsDecoder,
        out_nspeech: *mut c_double,
        out_ncpu: *mut c_double,
        out_nwall: *mut c_double,
    );
}

#[link(name = "sphinxbase")]
extern "C" {
    /// `cmd_ln_t *cmd_ln_init(cmd_ln_t *inout_cmdln, arg_t const *defn, int32 strict, ...);`
    /// name/value C strings, NULL-terminated; the strings are copied. NULL on failure.
    pub fn cmd_ln_init(inout: *mut CmdLn, defn: *const Arg, strict: c_int, ...) -> *mut CmdLn;
    /// `int cmd_ln_free_r(cmd_ln_t *cmdln);` releases one reference.
    pub fn cmd_ln_free_r(cmdln: *mut CmdLn) -> c_int;
    /// `float64 logmath_exp(logmath_t *lmath, int logb_p);`
    pub fn logmath_exp(lmath: *mut LogMath, logb_p: c_int) -> c_double;
}

/// `struct timespec` of glibc on 64-bit Linux.
#[repr(C)]
pub struct Timespec {
    /// Seconds.
    pub tv_sec: i64,
    /// Nanoseconds.
    pub tv_nsec: i64,
}

/// `CLOCK_THREAD_CPUTIME_ID` (`<linux/time.h>`).
pub const CLOCK_THREAD_CPUTIME_ID: c_int = 3;

extern "C" {
    /// `int clock_gettime(clockid_t clk, struct timespec *tp);` (libc).
    pub fn clock_gettime(clk: c_int, tp: *mut Timespec) -> c_int;
}
