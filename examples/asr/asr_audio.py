"""Audio input for the ASR example: what the client sent, as PocketSphinx wants it.

PocketSphinx's en-us model takes 16 kHz, 16-bit, mono, little-endian PCM. We accept
  - WAV (RIFF/WAVE) at any sample rate, 1..8 channels: integer PCM of 8, 16, 24 or 32 bits,
    32-bit IEEE float, A-law and mu-law (also inside WAVE_FORMAT_EXTENSIBLE), which is
    mixed down to mono and resampled to 16 kHz;
  - raw 16 kHz 16-bit mono little-endian PCM, named *.raw or *.pcm (a raw stream has no header,
    so its name is the only thing that says what it is);
and refuse anything else with an AudioError whose message says what was found and what to send.
Only the standard library: this must run on a plain Debian python3 (audioop is in 3.11).
"""
import array
import struct
import sys
import warnings

# audioop is deprecated (to go in 3.13) but it is the standard library's only resampler, and
# Debian 12's python3 is 3.11; the warning is for us, not for the service's operators.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

TARGET_RATE = 16000
RAW_SUFFIXES = (".raw", ".pcm")

_PCM, _FLOAT, _ALAW, _MULAW, _EXTENSIBLE = 0x0001, 0x0003, 0x0006, 0x0007, 0xFFFE

# Magic numbers of formats people send by mistake, to name them in the refusal.
_KNOWN = [
    (b"ID3", "MP3"), (b"\xff\xfb", "MP3"), (b"\xff\xf3", "MP3"), (b"\xff\xf2", "MP3"),
    (b"fLaC", "FLAC"), (b"OggS", "Ogg"), (b"FORM", "AIFF"), (b".snd", "Sun/NeXT audio"),
    (b"\x1aE\xdf\xa3", "WebM/Matroska"), (b"RIFF", "RIFF (not WAVE)"), (b"\x89PNG", "PNG image"),
    (b"%PDF", "PDF"), (b"PK\x03\x04", "ZIP"), (b"\xff\xd8\xff", "JPEG image"),
]
_SEND = ("send a WAV file (PCM, any sample rate) or raw 16 kHz 16-bit mono PCM named "
         "*.raw or *.pcm")


class AudioError(ValueError):
    """The upload is not audio we can transcribe; the message is for the client."""


def load_pcm16k(path: str, max_seconds: float = 600.0) -> bytes:
    """The audio file at `path` as 16 kHz 16-bit mono PCM. Raises AudioError."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        pcm = _wav_to_pcm16k(data)
    elif path.lower().endswith(RAW_SUFFIXES):
        if len(data) % 2:
            raise AudioError(f"raw PCM of {len(data)} bytes is not whole 16-bit samples")
        pcm = data if sys.byteorder == "little" else audioop.byteswap(data, 2)
    else:
        raise AudioError(f"unsupported audio: {_describe(data, path)}; {_SEND}")
    if not pcm:
        raise AudioError("the audio holds no samples")
    seconds = len(pcm) / (2 * TARGET_RATE)
    if seconds > max_seconds:
        raise AudioError(f"the audio lasts {seconds:.0f} s, more than the {max_seconds:.0f} s "
                         "this service transcribes in one request")
    return pcm


def _describe(data: bytes, path: str) -> str:
    if not data:
        return "an empty file"
    for magic, name in _KNOWN:
        if data.startswith(magic):
            return f"{name} data"
    if data[4:8] == b"ftyp":
        return "MP4/M4A data"
    dot = path.rfind(".")
    suffix = path[dot:] if dot > path.rfind("/") else ""
    return f"unrecognised data (a {suffix} file)" if suffix else "unrecognised data"


def _chunks(data: bytes):
    """(id, payload) of each RIFF chunk. A data chunk whose size runs past the end (streaming
    writers put 0 or 0xFFFFFFFF there) is cut at the end of the file."""
    pos = 12
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        body = data[pos + 8:pos + 8 + size]
        if cid == b"data" and size in (0, 0xFFFFFFFF):
            body = data[pos + 8:]
        yield cid, body
        pos += 8 + size + (size & 1)


def _wav_to_pcm16k(data: bytes) -> bytes:
    fmt = samples = None
    for cid, body in _chunks(data):
        if cid == b"fmt " and fmt is None:
            fmt = body
        elif cid == b"data" and samples is None:
            samples = body
    if fmt is None or len(fmt) < 16:
        raise AudioError("WAV file without a valid 'fmt ' chunk")
    if samples is None:
        raise AudioError("WAV file without a 'data' chunk")
    tag, channels, rate, _, block, bits = struct.unpack_from("<HHIIHH", fmt)
    if tag == _EXTENSIBLE and len(fmt) >= 26:
        tag = struct.unpack_from("<H", fmt, 24)[0]  # the sub-format GUID starts with the tag
    if not 1 <= channels <= 8:
        raise AudioError(f"WAV with {channels} channels; 1 to 8 are supported")
    if not 1000 <= rate <= 384000:
        raise AudioError(f"WAV sample rate {rate} Hz is out of range (1000..384000)")
    width = bits // 8 if bits % 8 == 0 else 0
    if width == 0 or block != width * channels:
        raise AudioError(f"WAV with {bits}-bit samples in {block}-byte frames is not supported")
    samples = samples[:len(samples) - len(samples) % block]

    if tag == _PCM and width in (1, 2, 3, 4):
        if width == 1:  # 8-bit WAV is unsigned
            samples = audioop.bias(samples, 1, -128)
        pcm = audioop.lin2lin(samples, width, 2) if width != 2 else samples
    elif tag == _FLOAT and width == 4:
        pcm = _float32_to_s16(samples)
    elif tag in (_ALAW, _MULAW) and width == 1:
        pcm = (audioop.alaw2lin if tag == _ALAW else audioop.ulaw2lin)(samples, 2)
    else:
        raise AudioError(f"WAV encoding 0x{tag:04x} with {bits}-bit samples is not supported; "
                         "send PCM (8/16/24/32-bit), 32-bit float, A-law or mu-law")
    if sys.byteorder != "little":
        pcm = audioop.byteswap(pcm, 2)
    pcm = _to_mono(pcm, channels)
    if rate != TARGET_RATE:
        # ratecv interpolates linearly, without an anti-aliasing filter: good enough for speech,
        # whose energy sits well below 8 kHz.
        pcm, _ = audioop.ratecv(pcm, 2, 1, rate, TARGET_RATE, None)
    return pcm


def _float32_to_s16(samples: bytes) -> bytes:
    floats = array.array("f", samples)
    if sys.byteorder != "little":
        floats.byteswap()
    return array.array("h", (int(max(-1.0, min(1.0, v)) * 32767) for v in floats)).tobytes()


def _to_mono(pcm: bytes, channels: int) -> bytes:
    if channels == 1:
        return pcm
    if channels == 2:
        return audioop.tomono(pcm, 2, 0.5, 0.5)
    interleaved = array.array("h", pcm)
    mono = None
    for c in range(channels):
        part = audioop.mul(interleaved[c::channels].tobytes(), 2, 1.0 / channels)
        mono = part if mono is None else audioop.add(mono, part, 2)
    return mono

