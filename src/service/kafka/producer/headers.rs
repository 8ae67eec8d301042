//! Headers as the pipeline carries them, and reading a consumed record's through librdkafka's C
//! API (rdkafka's own header API panics on a name that is not UTF-8).

use rdkafka::bindings as rdsys;
use rdkafka::message::{BorrowedHeaders, Message, OwnedHeaders};
use std::ffi::CStr;

/// Headers as carried through the pipeline: name and optional value, both raw bytes. Kafka header
/// names are meant to be UTF-8 but the broker does not check, so a name of any bytes is carried
/// through unchanged (rdkafka's own header API panics on such a name, hence the C calls below).
pub(crate) type HeaderList = Vec<(Vec<u8>, Option<Vec<u8>>)>;

/// rdkafka's `BorrowedHeaders` is a zero-sized view whose address is librdkafka's header list
/// (rdkafka 0.39 converts it the same way, in a private method).
pub(super) fn native_headers(headers: &BorrowedHeaders) -> *mut rdsys::rd_kafka_headers_t {
    headers as *const BorrowedHeaders as *mut rdsys::rd_kafka_headers_t
}

/// Header collections backed by a librdkafka header list (those of consumed and owned messages).
pub(crate) trait NativeHeaders {
    fn borrowed(&self) -> &BorrowedHeaders;
}

impl NativeHeaders for BorrowedHeaders {
    fn borrowed(&self) -> &BorrowedHeaders {
        self
    }
}

impl NativeHeaders for OwnedHeaders {
    fn borrowed(&self) -> &BorrowedHeaders {
        self.as_borrowed()
    }
}

/// A consumed record's headers, owned, names and values as raw bytes (never panics on a name that
/// is not UTF-8). librdkafka hands names out NUL-terminated, so a name with a NUL byte inside
/// arrives cut at it: the one thing not carried through exactly.
pub(crate) fn headers_of<M: Message>(msg: &M) -> HeaderList
where
    M::Headers: NativeHeaders,
{
    let Some(headers) = msg.headers() else {
        return Vec::new();
    };
    let native = native_headers(headers.borrowed());
    // SAFETY: `native` points to the message's header list, alive as long as `msg` is borrowed.
    let count = unsafe { rdsys::rd_kafka_header_cnt(native) };
    let mut out = Vec::with_capacity(count);
    for idx in 0..count {
        let mut name = std::ptr::null();
        let mut value = std::ptr::null();
        let mut size = 0usize;
        // SAFETY: as above; librdkafka fills the out-pointers with data owned by the list.
        let err = unsafe {
            rdsys::rd_kafka_header_get_all(native, idx, &mut name, &mut value, &mut size)
        };
        if err != rdsys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR || name.is_null() {
            continue;
        }
        // SAFETY: a non-null name is a NUL-terminated string owned by the list; a non-null value
        // has `size` bytes.
        let key = unsafe { CStr::from_ptr(name) }.to_bytes().to_vec();
        let value = (!value.is_null())
            .then(|| unsafe { std::slice::from_raw_parts(value.cast::<u8>(), size) }.to_vec());
        out.push((key, value));
    }
    out
}
