//! Text files as office software writes them: UTF-8 with or without BOM, UTF-16 with
//! BOM ("Texto Unicode"), or Windows-1252 when the bytes are not valid UTF-8.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// Decodes a text file and says which encoding it was in.
pub fn decode_text(bytes: &[u8]) -> (String, &'static Encoding) {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return (text.into_owned(), encoding);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), UTF_8),
        Err(_) => {
            let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
            (text.into_owned(), WINDOWS_1252)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_boms_utf8_and_windows_1252() {
        let (t, e) = decode_text("Planeación".as_bytes());
        assert_eq!((t.as_str(), e), ("Planeación", UTF_8));
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice("Área".as_bytes());
        assert_eq!(decode_text(&bom).0, "Área");
        let (cp, _, _) = WINDOWS_1252.encode("Versión – Área");
        let (t, e) = decode_text(&cp);
        assert_eq!((t.as_str(), e), ("Versión – Área", WINDOWS_1252));
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "Año".encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode_text(&utf16).0, "Año");
    }
}
