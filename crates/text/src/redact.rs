//! Quotes without identities: what a citizen wrote may carry an e-mail address, a
//! phone or an identity number; a quote shown to others carries neither.

/// The text with e-mail addresses and runs of six or more digits (phones, identity
/// numbers, accounts; spaces, dots and dashes between them allowed) replaced by a
/// word in brackets, cut at `max_chars` on a word boundary.
pub fn quote(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, token) in text.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if is_email(token) {
            out.push_str("[correo]");
        } else {
            out.push_str(token);
        }
    }
    let out = mask_numbers(&out);
    cut(&out, max_chars)
}

fn is_email(token: &str) -> bool {
    match token.split_once('@') {
        Some((user, host)) => {
            !user.is_empty() && host.trim_end_matches(['.', ',', ';', ')']).contains('.')
        }
        None => false,
    }
}

fn mask_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            // The run: digits, with single separators between them.
            let mut j = i;
            let mut digits = 0;
            let mut end = i;
            while j < chars.len() {
                if chars[j].is_ascii_digit() {
                    digits += 1;
                    j += 1;
                    end = j;
                } else if matches!(chars[j], ' ' | '.' | '-')
                    && j + 1 < chars.len()
                    && chars[j + 1].is_ascii_digit()
                {
                    j += 1;
                } else {
                    break;
                }
            }
            if digits >= 6 {
                out.push_str("[número]");
            } else {
                out.extend(&chars[i..end]);
            }
            i = end;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

fn cut(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max_chars).collect();
    if let Some(space) = out.rfind(' ') {
        out.truncate(space);
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contacts_and_numbers_are_masked_and_small_numbers_kept() {
        assert_eq!(
            quote("Escríbanme a ana.perez@correo.co o al 310 555 1234, cédula 1.020.304.050; llevo 3 años", 200),
            "Escríbanme a [correo] o al [número], cédula [número]; llevo 3 años"
        );
        assert_eq!(
            quote("El subsidio de 2025 es de 30 salarios", 200),
            "El subsidio de 2025 es de 30 salarios"
        );
    }

    #[test]
    fn long_quotes_are_cut_on_a_word() {
        assert_eq!(quote("uno dos tres cuatro", 10), "uno dos…");
    }
}
