//! Inflating a chunked gzip (`chunked_gzip`) on both threads of the
//! pipeline: the caller reads the chunks in order and inflates them, but
//! hands a chunk over still deflated whenever the unpacking thread is about
//! to run out of work, so that the unpacker inflates it itself instead of
//! waiting. Two threads stay busy on two cores, in whatever proportion the
//! machine's inflating and writing speeds call for. A third thread did
//! worse on two cores: the scheduler stacked the two inflaters on one.
//!
//! Every chunk must inflate alone to exactly the length the index gives,
//! consuming exactly its compressed bytes, only the last one ending the
//! stream; the trailer's CRC-32 and length are checked over all of them, in
//! order, and nothing may follow the trailer. The unpacker reads a broken
//! chunk as its own read error, as from the sequential decoder.

use std::io::{self, Read};
use std::sync::mpsc::SyncSender;

use flate2::{Crc, Decompress, FlushDecompress, Status};

use super::pipeline::Pipeline;
use crate::chunked_gzip::ChunkIndex;

/// The unpacker's queue length below which the next chunk is handed over
/// deflated: it then has one chunk to write while it inflates the other.
const HAND_OVER_BELOW: usize = 2;

/// A chunk on its way to the unpacking thread.
pub(super) enum Chunk {
    Inflated {
        data: Vec<u8>,
        crc: Crc,
    },
    Deflated(Deflated),
    /// The trailer: the CRC-32 and length (mod 2^32) of all the chunks.
    End {
        crc: u32,
        len: u32,
    },
}

/// A chunk's compressed bytes, with what the index says of them.
pub(super) struct Deflated {
    number: usize,
    last: bool,
    expected_len: usize,
    compressed: Vec<u8>,
    /// A buffer to inflate into.
    output: Vec<u8>,
}

/// Feeds `pipeline` with the chunks of `compressed` (read up to the end of
/// its header); an error reaches the unpacker as its read error.
pub(super) fn feed(compressed: &mut dyn Read, index: &ChunkIndex, pipeline: &mut Pipeline) {
    if let Err(e) = feed_chunks(compressed, index, pipeline) {
        pipeline.fail(e);
    }
}

fn feed_chunks(
    compressed: &mut dyn Read,
    index: &ChunkIndex,
    pipeline: &mut Pipeline,
) -> io::Result<()> {
    let mut inflater = Decompress::new(false);
    // The compressed buffer of the last chunk inflated here.
    let mut spare = None;
    for number in 0..index.compressed.len() {
        let buffer = spare.take().unwrap_or_else(|| pipeline.empty_buffer());
        let deflated = read_chunk(compressed, index, number, buffer, pipeline.empty_buffer())?;
        let chunk = if pipeline.queued() < HAND_OVER_BELOW {
            Chunk::Deflated(deflated)
        } else {
            let (data, crc, input) = inflate(&mut inflater, deflated)?;
            spare = Some(input);
            Chunk::Inflated { data, crc }
        };
        if !pipeline.send_chunk(chunk) {
            return Ok(());
        }
    }
    let end = read_trailer(compressed)?;
    pipeline.send_chunk(end);
    Ok(())
}

fn read_chunk(
    input: &mut dyn Read,
    index: &ChunkIndex,
    number: usize,
    mut compressed: Vec<u8>,
    output: Vec<u8>,
) -> io::Result<Deflated> {
    let len = u64::from(index.compressed[number]);
    compressed.clear();
    // Into the buffer's spare capacity: no zeroing of what is overwritten anyway.
    if input.take(len).read_to_end(&mut compressed)? as u64 != len {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(Deflated {
        number,
        last: number + 1 == index.compressed.len(),
        expected_len: index.chunk_len(number),
        compressed,
        output,
    })
}

/// The trailer, once nothing follows it.
fn read_trailer(input: &mut dyn Read) -> io::Result<Chunk> {
    let mut trailer = [0u8; 8];
    input.read_exact(&mut trailer)?;
    if input.read(&mut [0u8; 1])? != 0 {
        return Err(invalid("data follows the end of the chunked gzip stream"));
    }
    Ok(Chunk::End {
        crc: u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]),
        len: u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]),
    })
}

/// Inflates one chunk with a fresh window: its bytes, their CRC, and the
/// compressed buffer for reuse.
fn inflate(inflater: &mut Decompress, chunk: Deflated) -> io::Result<(Vec<u8>, Crc, Vec<u8>)> {
    let Deflated {
        number,
        last,
        expected_len,
        compressed,
        mut output,
    } = chunk;
    inflater.reset(false);
    output.clear();
    // One byte of room past the end, so that a chunk longer than the index says shows.
    output.reserve(expected_len + 1);
    let mut ended = false;
    while !ended && (inflater.total_in() as usize) < compressed.len() {
        let (read, written) = (inflater.total_in(), output.len());
        let status = inflater
            .decompress_vec(
                &compressed[read as usize..],
                &mut output,
                FlushDecompress::None,
            )
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        ended = status == Status::StreamEnd;
        if inflater.total_in() == read && output.len() == written {
            break;
        }
    }
    if ended != last
        || inflater.total_in() as usize != compressed.len()
        || output.len() != expected_len
    {
        return Err(invalid(&format!(
            "chunk {number} of the gzip stream does not match its index"
        )));
    }
    let mut crc = Crc::new();
    crc.update(&output);
    Ok((output, crc, compressed))
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// The unpacking thread's side: inflates the chunks handed over deflated
/// and checks the trailer against every chunk's CRC, in order.
#[derive(Default)]
pub(super) struct ChunkReader {
    inflater: Option<Decompress>,
    crc: Crc,
}

impl ChunkReader {
    /// The bytes of `chunk` (none for the trailer); spent buffers go back
    /// to the feeder through `recycle`.
    pub(super) fn bytes(
        &mut self,
        chunk: Chunk,
        recycle: &SyncSender<Vec<u8>>,
    ) -> io::Result<Vec<u8>> {
        match chunk {
            Chunk::Inflated { data, crc } => {
                self.crc.combine(&crc);
                Ok(data)
            }
            Chunk::Deflated(deflated) => {
                let inflater = self.inflater.get_or_insert_with(|| Decompress::new(false));
                let (data, crc, compressed) = inflate(inflater, deflated)?;
                let _ = recycle.try_send(compressed);
                self.crc.combine(&crc);
                Ok(data)
            }
            Chunk::End { crc, len } => {
                if crc != self.crc.sum() || len != self.crc.amount() {
                    return Err(invalid(
                        "the gzip stream's checksum or length does not match its data",
                    ));
                }
                Ok(Vec::new())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::{Compression, Format};
    use crate::chunked_gzip;
    use crate::digest::Sha256;
    use crate::extract::test_data::{noise, tar};
    use crate::extract::{extract, Limits};
    use std::sync::mpsc;

    /// Bytes of both kinds, 50 kB runs of text (back-references) between
    /// runs of noise (stored blocks), so that chunks differ in size.
    fn mixed(len: usize) -> Vec<u8> {
        let noise = noise(len);
        (0..len)
            .map(|i| match (i / 50_000) % 2 {
                0 => b"chunked gzip "[i % 13],
                _ => noise[i],
            })
            .collect()
    }

    /// Extracts `bytes` as an asset of `format` into a fresh directory.
    fn unpack(
        bytes: &[u8],
        format: Format,
        limits: &Limits,
    ) -> (tempfile::TempDir, crate::Result<super::super::Extracted>) {
        let dir = tempfile::tempdir().unwrap();
        let archive = dir.path().join("asset");
        std::fs::write(&archive, bytes).unwrap();
        let dest = dir.path().join("dest");
        std::fs::create_dir(&dest).unwrap();
        let result = extract(&archive, format, "tool", &dest, limits);
        (dir, result)
    }

    fn tar_gz() -> Format {
        Format::Tar(Compression::Gzip)
    }

    fn assert_corrupt(result: crate::Result<super::super::Extracted>, why: &str) {
        let err = result.expect_err("the archive should be refused");
        assert_eq!(err.exit_code(), 5, "{err}");
        assert!(
            err.to_string().contains(why),
            "'{err}' does not say '{why}'"
        );
    }

    #[test]
    fn a_chunked_tarball_unpacks_to_the_files_and_hashes_an_ordinary_one_does() {
        let (big, small) = (mixed(1_300_000), b"tiny".to_vec());
        let tar = tar(&[("bin/big", &big), ("small", &small)]);
        let (dir, extracted) = unpack(&chunked_gzip::to_vec(&tar, 2), tar_gz(), &Limits::default());
        let extracted = extracted.unwrap();
        assert_eq!(std::fs::read(dir.path().join("dest/bin/big")).unwrap(), big);
        assert_eq!(std::fs::read(dir.path().join("dest/small")).unwrap(), small);
        let big_hash = extracted.sha256[std::path::Path::new("bin/big")];
        assert_eq!(big_hash, Sha256::of_reader(&mut &big[..]).unwrap());
    }

    #[test]
    fn chunks_that_do_not_match_their_index_are_corrupt() {
        let tar = tar(&[("big", &mixed(1_300_000))]);
        let mut gz = chunked_gzip::to_vec(&tar, 1);
        let index = ChunkIndex::parse(&gz).unwrap();
        assert_ne!(index.compressed[0], index.compressed[1]);
        // Swap the first two sizes: the file's length still adds up, and the
        // deflate stream is untouched, so only a reader of the index sees it.
        let sizes_at = index.header_len - 4 * index.compressed.len();
        let (first, second) = (sizes_at..sizes_at + 4, sizes_at + 4..sizes_at + 8);
        let (a, b) = (gz[first.clone()].to_vec(), gz[second.clone()].to_vec());
        gz[first].copy_from_slice(&b);
        gz[second].copy_from_slice(&a);
        let mut sequential = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut sequential)
            .unwrap();
        assert_eq!(sequential, tar);
        let (_dir, result) = unpack(&gz, tar_gz(), &Limits::default());
        assert_corrupt(result, "does not match its index");
    }

    #[test]
    fn a_chunked_executable_is_checked_against_its_trailer_and_end() {
        let tool = mixed(700_000);
        let gz = chunked_gzip::to_vec(&tool, 2);
        let format = Format::Compressed(Compression::Gzip);
        let (dir, extracted) = unpack(&gz, format, &Limits::default());
        extracted.unwrap();
        assert_eq!(std::fs::read(dir.path().join("dest/tool")).unwrap(), tool);

        let mut wrong_crc = gz.clone();
        let crc_at = gz.len() - 8;
        wrong_crc[crc_at] ^= 1;
        assert_corrupt(unpack(&wrong_crc, format, &Limits::default()).1, "checksum");

        let mut longer = gz;
        longer.extend_from_slice(b"more");
        assert_corrupt(
            unpack(&longer, format, &Limits::default()).1,
            "data follows",
        );
    }

    #[test]
    fn a_chunked_bomb_is_stopped_at_the_limit() {
        let tar = tar(&[("zeros", &vec![0u8; 1 << 20])]);
        let limits = Limits {
            max_total_bytes: 64 * 1024,
            max_entries: 10,
        };
        let (dir, result) = unpack(&chunked_gzip::to_vec(&tar, 1), tar_gz(), &limits);
        assert_corrupt(result, "limit of 65536 bytes");
        let written = std::fs::metadata(dir.path().join("dest/zeros")).map_or(0, |m| m.len());
        assert!(written <= 64 * 1024, "{written} bytes written");
    }

    #[test]
    fn the_unpacker_reads_chunks_inflated_or_not_and_checks_their_crc_in_order() {
        let data = mixed(600_000);
        let gz = chunked_gzip::to_vec(&data, 1);
        let index = ChunkIndex::parse(&gz).unwrap();
        assert_eq!(index.compressed.len(), 3);
        let mut input = &gz[index.header_len..];
        let chunks: Vec<Deflated> = (0..3)
            .map(|i| read_chunk(&mut input, &index, i, Vec::new(), Vec::new()).unwrap())
            .collect();
        let Chunk::End { crc, len } = read_trailer(&mut input).unwrap() else {
            panic!("not a trailer");
        };
        let (recycle, _spent) = mpsc::sync_channel(8);
        let mut unpacker = ChunkReader::default();
        let mut out = Vec::new();
        for (i, chunk) in chunks.into_iter().enumerate() {
            // The middle one arrives inflated, as the feeder sends it when ahead.
            let chunk = if i == 1 {
                let (data, crc, _) = inflate(&mut Decompress::new(false), chunk).unwrap();
                Chunk::Inflated { data, crc }
            } else {
                Chunk::Deflated(chunk)
            };
            out.extend(unpacker.bytes(chunk, &recycle).unwrap());
        }
        assert_eq!(out, data);
        let wrong = Chunk::End { crc: crc ^ 1, len };
        assert!(unpacker.bytes(wrong, &recycle).is_err());
        assert!(unpacker
            .bytes(Chunk::End { crc, len }, &recycle)
            .unwrap()
            .is_empty());
    }
}
