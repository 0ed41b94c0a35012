//! Chunked gzip: the gzip `bitnet-release` writes. Every gzip reader reads it
//! as one ordinary member, but its deflate stream starts afresh every chunk
//! (a sync flush and a new window, as `pigz --independent` does), and the
//! header's extra field (RFC 1952 2.3.1.1, subfield `BN`) lists the
//! compressed size of every chunk. Knowing where each chunk starts, the
//! installer inflates chunks on every core (`extract::parallel`) instead of
//! one stream on one; any other gzip is read front to back as before.
//!
//! Subfield `BN`, little-endian: version (1), uncompressed bytes per chunk
//! (u32; the last chunk holds the rest), uncompressed bytes in all (u64),
//! then the compressed size of each chunk (u32).

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};

use flate2::{Compress, Compression, Crc, FlushCompress, Status};

const SUBFIELD_ID: [u8; 2] = *b"BN";
const VERSION: u8 = 1;
/// The subfield's bytes before the list of sizes.
const FIXED_LEN: usize = 1 + 4 + 8;
/// The most chunks one subfield can list (the extra field holds 64 KiB).
const MAX_CHUNKS: u64 = ((u16::MAX as usize - 4 - FIXED_LEN) / 4) as u64;
/// Uncompressed bytes per chunk: large enough that starting each window
/// afresh costs little ratio, small enough that the chunks in flight keep
/// the installer's memory flat.
const CHUNK_LEN: u64 = 256 * 1024;
/// The largest chunk the installer inflates on several threads; the index
/// of an asset large enough to need bigger chunks (above 16 GiB) is ignored.
const MAX_PARALLEL_CHUNK_LEN: u64 = 1 << 20;

const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;
const RESERVED_FLAGS: u8 = 0xe0;

/// Where the chunks of a chunked gzip lie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChunkIndex {
    /// Bytes of the gzip header, up to the first chunk.
    pub(crate) header_len: usize,
    chunk_len: u64,
    /// Uncompressed bytes in all.
    pub(crate) total_len: u64,
    /// The compressed size of each chunk, in order.
    pub(crate) compressed: Vec<u32>,
}

impl ChunkIndex {
    /// The index in `head`, the first bytes of a file: `None` unless they
    /// hold a whole gzip header with a valid `BN` subfield.
    pub(crate) fn parse(head: &[u8]) -> Option<ChunkIndex> {
        let (flags, extra, header_len) = gzip_header(head)?;
        if flags & FEXTRA == 0 {
            return None;
        }
        let field = subfield(extra, SUBFIELD_ID)?;
        let (fixed, sizes) = field.split_at_checked(FIXED_LEN)?;
        let chunk_len = u64::from(u32::from_le_bytes(fixed[1..5].try_into().ok()?));
        let total_len = u64::from_le_bytes(fixed[5..13].try_into().ok()?);
        let compressed: Vec<u32> = sizes
            .chunks_exact(4)
            .map(|size| u32::from_le_bytes([size[0], size[1], size[2], size[3]]))
            .collect();
        let index = ChunkIndex {
            header_len,
            chunk_len,
            total_len,
            compressed,
        };
        let sound = fixed[0] == VERSION
            && sizes.len() % 4 == 0
            && (1..=MAX_PARALLEL_CHUNK_LEN).contains(&chunk_len)
            && index.compressed.len() as u64 == chunk_count(total_len, chunk_len)
            && index
                .compressed
                .iter()
                .all(|&n| n > 0 && u64::from(n) <= deflate_bound(chunk_len));
        sound.then_some(index)
    }

    /// The uncompressed length of chunk `i`.
    pub(crate) fn chunk_len(&self, i: usize) -> usize {
        // Bounded by MAX_PARALLEL_CHUNK_LEN, so it fits.
        nth_chunk_len(self.total_len, self.chunk_len, i as u64) as usize
    }
}

/// Compresses `input` (rewound) into `out` as a chunked gzip, on `threads`
/// threads; the bytes written do not depend on their number.
pub(crate) fn write(out: &mut File, input: &mut File, threads: usize) -> io::Result<()> {
    let total_len = input.metadata()?.len();
    let chunk_len = chunk_len_for(total_len);
    let count = chunk_count(total_len, chunk_len);
    let header = header(chunk_len, total_len, count)?;
    // The sizes close the header; they are known once the chunks are written.
    let sizes_at = out.stream_position()? + (header.len() as u64 - 4 * count);
    out.write_all(&header)?;
    let mut sizes = Vec::with_capacity(count as usize * 4);
    let mut crc = Crc::new();
    let mut next = 0;
    while next < count {
        let batch = (count - next).min(threads.max(1) as u64);
        let mut plain = Vec::new();
        for i in next..next + batch {
            let mut data = vec![0; nth_chunk_len(total_len, chunk_len, i) as usize];
            input.read_exact(&mut data)?;
            plain.push((data, i + 1 == count));
        }
        for (data, compressed) in plain.iter().zip(compress_all(&plain)?) {
            crc.update(&data.0);
            let size = u32::try_from(compressed.len())
                .map_err(|_| io::Error::other("a compressed chunk is larger than 4 GiB"))?;
            sizes.extend_from_slice(&size.to_le_bytes());
            out.write_all(&compressed)?;
        }
        next += batch;
    }
    out.write_all(&crc.sum().to_le_bytes())?;
    out.write_all(&(total_len as u32).to_le_bytes())?;
    out.seek(SeekFrom::Start(sizes_at))?;
    out.write_all(&sizes)?;
    out.seek(SeekFrom::End(0))?;
    Ok(())
}

/// The chunk length for `total_len` bytes: the usual one, or larger when
/// the index would not hold that many chunks.
fn chunk_len_for(total_len: u64) -> u64 {
    let needed = total_len.div_ceil(MAX_CHUNKS).next_multiple_of(64 * 1024);
    needed.max(CHUNK_LEN)
}

/// The uncompressed length of chunk `i`: the last one holds the rest.
fn nth_chunk_len(total_len: u64, chunk_len: u64, i: u64) -> u64 {
    (total_len - i * chunk_len).min(chunk_len)
}

/// One chunk at least, so that an empty input is still a valid stream.
fn chunk_count(total_len: u64, chunk_len: u64) -> u64 {
    total_len.div_ceil(chunk_len).max(1)
}

/// Worst case of deflate (stored blocks) plus the flush, with room to spare.
fn deflate_bound(chunk_len: u64) -> u64 {
    chunk_len + chunk_len / 8 + 64
}

/// The gzip header with the index, its sizes zeroed (`write` fills them in).
fn header(chunk_len: u64, total_len: u64, count: u64) -> io::Result<Vec<u8>> {
    let too_large = || io::Error::other("the asset is too large for a chunked gzip index");
    let field_len = u16::try_from(FIXED_LEN as u64 + 4 * count).map_err(|_| too_large())?;
    let chunk_len = u32::try_from(chunk_len).map_err(|_| too_large())?;
    // Magic, deflate, FEXTRA, no mtime (reproducible), best compression, unknown OS.
    let mut header = vec![0x1f, 0x8b, 8, FEXTRA, 0, 0, 0, 0, 2, 255];
    header.extend_from_slice(&(field_len + 4).to_le_bytes());
    header.extend_from_slice(&SUBFIELD_ID);
    header.extend_from_slice(&field_len.to_le_bytes());
    header.push(VERSION);
    header.extend_from_slice(&chunk_len.to_le_bytes());
    header.extend_from_slice(&total_len.to_le_bytes());
    header.resize(header.len() + 4 * count as usize, 0);
    Ok(header)
}

/// Each chunk compressed on its own thread, in order.
fn compress_all(chunks: &[(Vec<u8>, bool)]) -> io::Result<Vec<Vec<u8>>> {
    std::thread::scope(|scope| {
        let workers: Vec<_> = chunks
            .iter()
            .map(|(data, last)| scope.spawn(move || compress_chunk(data, *last)))
            .collect();
        workers
            .into_iter()
            .map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|_| Err(io::Error::other("a compressing thread panicked")))
            })
            .collect()
    })
}

/// Raw deflate of one chunk with a fresh window: the last chunk ends the
/// stream, the others end with a sync flush (byte-aligned, not final), so
/// that the chunks concatenated are one valid deflate stream.
fn compress_chunk(data: &[u8], last: bool) -> io::Result<Vec<u8>> {
    let mut deflater = Compress::new(Compression::best(), false);
    let flush = if last {
        FlushCompress::Finish
    } else {
        FlushCompress::Sync
    };
    let mut out = Vec::with_capacity(deflate_bound(data.len() as u64) as usize);
    loop {
        if out.capacity() - out.len() < 1024 {
            out.reserve(64 * 1024);
        }
        let consumed = deflater.total_in() as usize;
        let status = deflater
            .compress_vec(&data[consumed..], &mut out, flush)
            .map_err(io::Error::other)?;
        // A sync flush is complete once the input is in and output room is left over.
        let flushed =
            !last && deflater.total_in() as usize == data.len() && out.len() < out.capacity();
        if status == Status::StreamEnd || flushed {
            return Ok(out);
        }
    }
}

/// The flags, the extra field and the header's length, when `head` starts
/// with a whole gzip header.
fn gzip_header(head: &[u8]) -> Option<(u8, &[u8], usize)> {
    if head.get(..3)? != [0x1f, 0x8b, 8] {
        return None;
    }
    let flags = *head.get(3)?;
    if flags & RESERVED_FLAGS != 0 {
        return None;
    }
    let mut pos = 10;
    let mut extra: &[u8] = &[];
    if flags & FEXTRA != 0 {
        let xlen = usize::from(u16::from_le_bytes(head.get(10..12)?.try_into().ok()?));
        extra = head.get(12..12 + xlen)?;
        pos = 12 + xlen;
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            pos += head.get(pos..)?.iter().position(|&b| b == 0)? + 1;
        }
    }
    if flags & FHCRC != 0 {
        pos += 2;
    }
    (pos <= head.len()).then_some((flags, extra, pos))
}

/// The data of the first subfield `id` of an extra field.
fn subfield(mut extra: &[u8], id: [u8; 2]) -> Option<&[u8]> {
    while extra.len() >= 4 {
        let len = usize::from(u16::from_le_bytes([extra[2], extra[3]]));
        let data = extra.get(4..4 + len)?;
        if extra[..2] == id {
            return Some(data);
        }
        extra = &extra[4 + len..];
    }
    None
}

/// `write` into memory, for tests.
#[cfg(test)]
pub(crate) fn to_vec(data: &[u8], threads: usize) -> Vec<u8> {
    let mut input = tempfile::tempfile().unwrap();
    input.write_all(data).unwrap();
    input.rewind().unwrap();
    let mut out = tempfile::tempfile().unwrap();
    write(&mut out, &mut input, threads).unwrap();
    out.rewind().unwrap();
    let mut bytes = Vec::new();
    out.read_to_end(&mut bytes).unwrap();
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn sample(len: usize) -> Vec<u8> {
        // Compressible but not trivially: repeated text with a counter.
        let mut data = Vec::with_capacity(len + 64);
        let mut i = 0u64;
        while data.len() < len {
            data.extend_from_slice(format!("line {i} of the sample asset\n").as_bytes());
            i = i
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407)
                >> 7;
        }
        data.truncate(len);
        data
    }

    #[test]
    fn a_single_member_gzip_reader_reads_the_whole_stream() {
        // ubi and others use flate2's GzDecoder, which stops after one member.
        for len in [0, 1, 1000, CHUNK_LEN as usize, 3 * CHUNK_LEN as usize + 17] {
            let data = sample(len);
            let gz = to_vec(&data, 3);
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&gz[..])
                .read_to_end(&mut out)
                .unwrap();
            assert_eq!(out, data, "{len} bytes");
        }
    }

    #[test]
    fn the_index_lists_every_chunk_and_the_chunks_tile_the_file() {
        let data = sample(3 * CHUNK_LEN as usize + 17);
        let gz = to_vec(&data, 2);
        let index = ChunkIndex::parse(&gz).expect("an index");
        assert_eq!(index.total_len, data.len() as u64);
        assert_eq!(index.compressed.len(), 4);
        assert_eq!(index.chunk_len(0), CHUNK_LEN as usize);
        assert_eq!(index.chunk_len(3), 17);
        let data_len: u64 = index.compressed.iter().map(|&n| u64::from(n)).sum();
        assert_eq!(index.header_len as u64 + data_len + 8, gz.len() as u64);
        // Each chunk inflates alone, to its share of the input.
        let mut at = index.header_len;
        for (i, &size) in index.compressed.iter().enumerate() {
            let mut inflater = flate2::Decompress::new(false);
            let mut out = Vec::with_capacity(index.chunk_len(i) + 1);
            inflater
                .decompress_vec(
                    &gz[at..at + size as usize],
                    &mut out,
                    flate2::FlushDecompress::None,
                )
                .unwrap();
            let start = i * CHUNK_LEN as usize;
            assert_eq!(out, data[start..start + index.chunk_len(i)], "chunk {i}");
            at += size as usize;
        }
    }

    #[test]
    fn the_bytes_do_not_depend_on_the_number_of_threads() {
        let data = sample(5 * CHUNK_LEN as usize);
        assert_eq!(to_vec(&data, 1), to_vec(&data, 4));
    }

    #[test]
    fn an_ordinary_gzip_has_no_index() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(&sample(1000)).unwrap();
        assert_eq!(ChunkIndex::parse(&gz.finish().unwrap()), None);
    }

    #[test]
    fn an_index_that_does_not_add_up_is_ignored() {
        let gz = to_vec(&sample(2 * CHUNK_LEN as usize), 1);
        assert!(ChunkIndex::parse(&gz).is_some());
        // The total claims a third chunk the list does not have.
        let total_at = 10 + 2 + 4 + 1 + 4;
        let mut more = gz.clone();
        more[total_at..total_at + 8].copy_from_slice(&(3 * CHUNK_LEN).to_le_bytes());
        assert_eq!(ChunkIndex::parse(&more), None);
        // An unknown version.
        let mut newer = gz.clone();
        newer[16] = 2;
        assert_eq!(ChunkIndex::parse(&newer), None);
        // A header cut short.
        assert_eq!(ChunkIndex::parse(&gz[..20]), None);
    }

    #[test]
    fn huge_assets_get_larger_chunks_so_that_the_index_fits() {
        assert_eq!(chunk_len_for(200 << 20), CHUNK_LEN);
        let huge = 40 << 30;
        let chunk = chunk_len_for(huge);
        assert!(chunk > CHUNK_LEN && chunk.is_multiple_of(64 * 1024));
        assert!(chunk_count(huge, chunk) <= MAX_CHUNKS);
        assert!(header(chunk, huge, chunk_count(huge, chunk)).is_ok());
    }
}
