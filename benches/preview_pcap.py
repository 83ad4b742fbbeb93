#!/usr/bin/env python3
"""WAV -> the pcap SIPp's play_pcap_audio speaks: A-law RTP (payload type 8), 20 ms packets,
Ethernet/IPv4/UDP, timestamps 20 ms apart. The WAV is 16-bit mono at 8 or 16 kHz (flite's
voices and pocketsphinx-testdata are 16 kHz: low-passed at 3.6 kHz with a Blackman-windowed
sinc, then every second sample kept). Used by benches/preview_wer.sh and the Voice Mail
Preview test (tests/it/preview.rs). Usage: preview_pcap.py IN.wav OUT.pcap"""
import math
import struct
import sys
import wave


def read_wav(path):
    w = wave.open(path, "rb")
    if w.getsampwidth() != 2 or w.getnchannels() != 1 or w.getframerate() not in (8000, 16000):
        sys.exit(f"{path}: expected 16-bit mono at 8 or 16 kHz")
    data = w.readframes(w.getnframes())
    samples = list(struct.unpack(f"<{len(data) // 2}h", data))
    return samples, w.getframerate()


def halve(samples, taps=63, cutoff=3600 / 16000):
    mid = taps // 2
    h = []
    for n in range(taps):
        k = n - mid
        sinc = 2 * cutoff if k == 0 else math.sin(2 * math.pi * cutoff * k) / (math.pi * k)
        win = 0.42 - 0.5 * math.cos(2 * math.pi * n / (taps - 1)) + 0.08 * math.cos(4 * math.pi * n / (taps - 1))
        h.append(sinc * win)
    total = sum(h)
    h = [x / total for x in h]
    out = []
    padded = [0] * mid + samples + [0] * mid
    for i in range(0, len(samples), 2):
        acc = sum(c * padded[i + j] for j, c in enumerate(h))
        out.append(max(-32768, min(32767, int(round(acc)))))
    return out


def alaw(x):
    """G.711 A-law of a 16-bit sample (ITU-T G.191 reference)."""
    x >>= 3  # 13-bit
    mask = 0xD5 if x >= 0 else 0x55
    if x < 0:
        x = -x - 1
    seg_end = [0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF]
    seg = next((i for i, e in enumerate(seg_end) if x <= e), 8)
    if seg >= 8:
        return 0x7F ^ mask
    code = seg << 4
    code |= (x >> 1) & 0x0F if seg < 2 else (x >> seg) & 0x0F
    return code ^ mask


def checksum(header):
    s = sum(struct.unpack("!10H", header))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def main():
    samples, rate = read_wav(sys.argv[1])
    if rate == 16000:
        samples = halve(samples)
    codes = bytes(alaw(s) for s in samples)
    out = open(sys.argv[2], "wb")
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for n, at in enumerate(range(0, len(codes), 160)):
        payload = codes[at:at + 160].ljust(160, b"\xd5")
        rtp = struct.pack("!BBHII", 0x80, 8 | (0x80 if n == 0 else 0), n, n * 160, 0x5EED) + payload
        udp = struct.pack("!HHHH", 6000, 6000, 8 + len(rtp), 0) + rtp
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), n, 0, 64, 17, 0,
                         bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]))
        ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
        frame = b"\x00" * 12 + b"\x08\x00" + ip + udp
        usec = n * 20000
        out.write(struct.pack("<IIII", usec // 1000000, usec % 1000000, len(frame), len(frame)))
        out.write(frame)
    out.close()


if __name__ == "__main__":
    main()
