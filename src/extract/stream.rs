//! The decompressed stream of an asset other than a zip: what it holds (a tar
//! stream or the one executable), the decoder that yields it (or the index
//! that lets `parallel` inflate it), and the cap that keeps a decompression
//! bomb from growing it without bound.

use std::cell::Cell;
use std::io::{self, BufRead, Read};
use std::rc::Rc;

use crate::archive::{Compression, Format};
use crate::chunked_gzip::ChunkIndex;
use crate::error::{Error, Result};

/// What the decompressed stream of an asset other than a zip holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Payload {
    Tar,
    /// The one executable, with the name it is written under.
    File(String),
}

/// The decompressed stream of an asset other than a zip (`Bare` is its own).
pub(super) fn decompress<'a, R: BufRead + 'a>(format: Format, reader: R) -> Box<dyn Read + 'a> {
    match format {
        Format::Tar(compression) | Format::Compressed(compression) => compression.decoder(reader),
        _ => Box::new(reader),
    }
}

/// The `Payload` of an asset of `format`; `bare_name` names a single executable.
pub(super) fn payload(format: Format, bare_name: &str) -> Result<Payload> {
    Ok(match format {
        Format::Tar(_) => Payload::Tar,
        Format::Compressed(_) => Payload::File(format.unpacked_name(bare_name).to_string()),
        Format::Bare => Payload::File(bare_name.to_string()),
        Format::Zip => return Err(Error::internal("a zip is unpacked from its file")),
    })
}

/// The index of a chunked gzip at the start of `reader`, when it is one.
pub(super) fn chunk_index(format: Format, reader: &mut impl BufRead) -> Option<ChunkIndex> {
    match format {
        Format::Tar(Compression::Gzip) | Format::Compressed(Compression::Gzip) => {
            ChunkIndex::parse(reader.fill_buf().ok()?)
        }
        _ => None,
    }
}

/// Caps a decompressed stream, remembering that the cap was hit so the error can
/// say so rather than "corrupt".
pub(super) struct CappedStream<R> {
    pub(super) inner: R,
    pub(super) remaining: u64,
    pub(super) hit: Rc<Cell<bool>>,
}

impl<R: Read> Read for CappedStream<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 {
            let mut probe = [0u8; 1];
            if self.inner.read(&mut probe)? == 0 {
                return Ok(0);
            }
            self.hit.set(true);
            return Err(io::Error::other(
                "decompressed archive exceeds its size cap",
            ));
        }
        let max = buf
            .len()
            .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..max])?;
        self.remaining -= n as u64;
        Ok(n)
    }
}
