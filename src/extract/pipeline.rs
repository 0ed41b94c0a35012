//! Unpacking on two threads, so that an extraction uses both cores: the
//! caller reads the asset and decompresses it; a second thread parses what
//! comes out, writes the files and hashes them for the receipt. With a
//! chunked gzip, the caller hands some chunks over still deflated, for the
//! second thread to inflate when it would otherwise wait (`parallel`).
//!
//! The unpacking thread sees exactly the decompressed bytes, in order, and a
//! decompression error as its own read error, so the rules, the limits and
//! the error messages are those of `unpack_payload` reading the decompressed
//! stream itself. It stops
//! taking bytes the moment it refuses the archive, and the caller then stops
//! decompressing: a bomb is not inflated past the cap.

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

use super::parallel::{Chunk, ChunkReader};
use super::{unpack_payload, Extracted, Limits, Payload, BUF_SIZE};
use crate::error::{Error, Result};

/// Buffers in flight between the two threads: enough to ride out the
/// unpacker's pauses (creating a file, a slow write) while keeping memory
/// flat (2 MiB).
const IN_FLIGHT: usize = 8;

/// What the unpacking thread is handed, in order.
enum Piece {
    /// Decompressed bytes.
    Bytes(Vec<u8>),
    /// A chunk of a chunked gzip, or its end.
    Chunk(Chunk),
}

/// The feeding end of an unpacking thread.
pub(super) struct Pipeline {
    filled: Option<SyncSender<io::Result<Piece>>>,
    empties: Receiver<Vec<u8>>,
    /// Pieces handed over, and (counted by the unpacker) taken.
    sent: usize,
    taken: Arc<AtomicUsize>,
    worker: Option<JoinHandle<Result<Extracted>>>,
}

impl Pipeline {
    /// Starts a thread that unpacks `payload` from what `feed` gives it into
    /// the empty directory `dest`; `archive` names the asset in errors.
    pub(super) fn start(
        payload: Payload,
        archive: &Path,
        dest: &Path,
        limits: &Limits,
    ) -> Result<Pipeline> {
        let (filled, incoming) = mpsc::sync_channel(IN_FLIGHT);
        let (recycle, empties) = mpsc::sync_channel(IN_FLIGHT);
        let (archive, dest, limits) = (PathBuf::from(archive), dest.to_path_buf(), limits.clone());
        let taken = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&taken);
        let worker = std::thread::Builder::new()
            .name("unpack".into())
            .spawn(move || {
                let reader = ChannelReader {
                    incoming,
                    recycle,
                    taken: counter,
                    chunks: ChunkReader::default(),
                    current: None,
                    pos: 0,
                };
                unpack_payload(reader, &payload, &archive, &dest, &limits)
            })
            .map_err(|e| Error::internal(format!("could not start the unpacking thread: {e}")))?;
        Ok(Pipeline {
            filled: Some(filled),
            empties,
            sent: 0,
            taken,
            worker: Some(worker),
        })
    }

    /// Hands everything `decompressed` yields to the unpacker, until its end,
    /// its first error (which the unpacker reads as its own) or the unpacker
    /// stopping.
    pub(super) fn feed(&mut self, decompressed: &mut dyn Read) {
        loop {
            let mut buf = self.empty_buffer();
            buf.resize(BUF_SIZE, 0);
            // The bytes before an error go first, as one thread would read them.
            let (len, error) = fill(decompressed, &mut buf);
            buf.truncate(len);
            if len > 0 && !self.send(buf) {
                return;
            }
            if let Some(e) = error {
                self.fail(e);
                return;
            }
            if len == 0 {
                return;
            }
        }
    }

    /// A buffer the unpacker is done with, or a new one.
    pub(super) fn empty_buffer(&self) -> Vec<u8> {
        self.empties.try_recv().unwrap_or_default()
    }

    /// Hands `data` to the unpacker; false once it has stopped taking any.
    pub(super) fn send(&mut self, data: Vec<u8>) -> bool {
        self.hand_over(Piece::Bytes(data))
    }

    /// Hands a chunk of a chunked gzip to the unpacker; false once it has
    /// stopped taking any.
    pub(super) fn send_chunk(&mut self, chunk: Chunk) -> bool {
        self.hand_over(Piece::Chunk(chunk))
    }

    /// Pieces handed over that the unpacker has not taken yet.
    pub(super) fn queued(&self) -> usize {
        self.sent.saturating_sub(self.taken.load(Ordering::Relaxed))
    }

    fn hand_over(&mut self, piece: Piece) -> bool {
        let Some(filled) = &self.filled else {
            return false;
        };
        self.sent += 1;
        filled.send(Ok(piece)).is_ok()
    }

    /// Ends the stream with `error`, which the unpacker reads as its own.
    pub(super) fn fail(&mut self, error: io::Error) {
        if let Some(filled) = self.filled.take() {
            let _ = filled.send(Err(error));
        }
    }

    /// Ends the stream and waits for the unpacker's result.
    pub(super) fn finish(mut self) -> Result<Extracted> {
        self.stop()
            .unwrap_or_else(|| Err(Error::internal("the unpacking thread was already joined")))
    }

    /// Closes the stream and joins the thread, so that nothing writes into
    /// `dest` once this returns.
    fn stop(&mut self) -> Option<Result<Extracted>> {
        self.filled = None;
        let worker = self.worker.take()?;
        Some(
            worker
                .join()
                .unwrap_or_else(|_| Err(Error::internal("the unpacking thread panicked"))),
        )
    }
}

impl Drop for Pipeline {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

/// Reads into `buf` until it is full, the stream ends or it fails: fewer,
/// larger hand-overs. Returns the bytes read, and the error that stopped it.
fn fill(reader: &mut dyn Read, buf: &mut [u8]) -> (usize, Option<io::Error>) {
    let mut len = 0;
    while len < buf.len() {
        match reader.read(&mut buf[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return (len, Some(e)),
        }
    }
    (len, None)
}

/// The unpacker's end: the pieces in order, then end of file once the
/// feeder closes the stream.
struct ChannelReader {
    incoming: Receiver<io::Result<Piece>>,
    recycle: SyncSender<Vec<u8>>,
    taken: Arc<AtomicUsize>,
    chunks: ChunkReader,
    current: Option<Vec<u8>>,
    pos: usize,
}

impl Read for ChannelReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(chunk) = &self.current {
                if self.pos < chunk.len() {
                    let n = out.len().min(chunk.len() - self.pos);
                    out[..n].copy_from_slice(&chunk[self.pos..self.pos + n]);
                    self.pos += n;
                    return Ok(n);
                }
            }
            if let Some(used) = self.current.take() {
                let _ = self.recycle.try_send(used);
            }
            let piece = match self.incoming.recv() {
                Ok(piece) => piece?,
                Err(_) => return Ok(0),
            };
            self.taken.fetch_add(1, Ordering::Relaxed);
            self.current = Some(match piece {
                Piece::Bytes(data) => data,
                Piece::Chunk(chunk) => self.chunks.bytes(chunk, &self.recycle)?,
            });
            self.pos = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_data::{noise, tar};
    use super::*;

    fn unpack(payload: Payload, stream: &mut dyn Read, dest: &Path) -> Result<Extracted> {
        let mut pipeline =
            Pipeline::start(payload, Path::new("t.tar.gz"), dest, &Limits::default()).unwrap();
        pipeline.feed(stream);
        pipeline.finish()
    }

    /// Hands out a stream a few bytes at a time, then fails.
    struct Dribble<'a> {
        data: &'a [u8],
        error_at_end: bool,
    }

    impl Read for Dribble<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.data.is_empty() && self.error_at_end {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "corrupt deflate stream",
                ));
            }
            let n = out.len().min(self.data.len()).min(16_381);
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_stream_over_many_buffers_unpacks_whole_and_hashed() {
        let big = noise(3 * BUF_SIZE + 17);
        let stream = tar(&[("top/bitnet-cli", &big), ("top/README", b"read me")]);
        let dest = tempfile::tempdir().unwrap();
        let mut source = Dribble {
            data: &stream,
            error_at_end: false,
        };
        let extracted = unpack(Payload::Tar, &mut source, dest.path()).unwrap();
        assert_eq!(std::fs::read(dest.path().join("bitnet-cli")).unwrap(), big);
        assert_eq!(
            extracted.sha256[Path::new("bitnet-cli")],
            crate::digest::Sha256::of(&big)
        );
        assert_eq!(extracted.files.len(), 2);
    }

    #[test]
    fn a_decompression_error_is_the_unpackers_read_error() {
        let stream = tar(&[("bitnet-cli", &noise(2 * BUF_SIZE))]);
        let dest = tempfile::tempdir().unwrap();
        let mut source = Dribble {
            data: &stream[..BUF_SIZE + 1000],
            error_at_end: true,
        };
        let err = unpack(Payload::Tar, &mut source, dest.path()).unwrap_err();
        assert!(err.to_string().contains("corrupt deflate stream"), "{err}");
    }

    #[test]
    fn the_bytes_before_a_decompression_error_are_unpacked_first() {
        let stream = tar(&[("first", b"whole"), ("second", &noise(BUF_SIZE))]);
        let dest = tempfile::tempdir().unwrap();
        let mut source = Dribble {
            data: &stream[..BUF_SIZE / 2],
            error_at_end: true,
        };
        let err = unpack(Payload::Tar, &mut source, dest.path()).unwrap_err();
        assert!(err.to_string().contains("corrupt deflate stream"), "{err}");
        assert_eq!(std::fs::read(dest.path().join("first")).unwrap(), b"whole");
    }

    #[test]
    fn a_refused_archive_stops_the_feeding_without_reading_the_rest() {
        let mut stream = tar(&[("bitnet-cli", b"x"), ("bitnet-cli", b"again")]);
        // At most IN_FLIGHT queued, one refused and one in hand are read.
        stream.extend(noise((IN_FLIGHT + 8) * BUF_SIZE));
        let dest = tempfile::tempdir().unwrap();
        let mut source = Dribble {
            data: &stream,
            error_at_end: false,
        };
        let err = unpack(Payload::Tar, &mut source, dest.path()).unwrap_err();
        assert_eq!(err.exit_code(), 5, "{err}");
        assert!(err.to_string().contains("bitnet-cli"), "{err}");
        assert!(
            source.data.len() > 4 * BUF_SIZE,
            "the feeder stopped once the unpacker refused ({} bytes left)",
            source.data.len()
        );
    }

    #[test]
    fn a_single_file_payload_is_written_under_its_name() {
        let data = noise(BUF_SIZE + 5);
        let dest = tempfile::tempdir().unwrap();
        let extracted = unpack(
            Payload::File("bitnet-cli".into()),
            &mut data.as_slice(),
            dest.path(),
        )
        .unwrap();
        assert_eq!(extracted.files, vec![PathBuf::from("bitnet-cli")]);
        assert_eq!(std::fs::read(dest.path().join("bitnet-cli")).unwrap(), data);
    }
}
