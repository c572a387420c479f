//! The tokenizer behind keyword search: English words and Chinese (CJK) character bigrams.
//!
//! - Runs of letters and digits outside CJK scripts are words, lowercased (`"Pump-7"` ->
//!   `"pump"`, `"7"`). No stemming and no stop words: BM25's idf already discounts words that
//!   are everywhere.
//! - Runs of CJK characters (Han, kana, Hangul) have no spaces between words, so each
//!   overlapping pair of characters is a term (`"温度过高"` -> `"温度"`, `"度过"`, `"过高"`); a
//!   run of one character is that character.
//! - Everything else separates terms. A term longer than [`MAX_TERM_CHARS`] is cut there.
//!
//! ```
//! use neotalk_storage::tokenize;
//! assert_eq!(tokenize("Pump 温度过高!"), vec!["pump", "温度", "度过", "过高"]);
//! ```

/// Longest term kept, in characters.
pub const MAX_TERM_CHARS: usize = 64;

/// Whether `c` belongs to a script written without spaces between words.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'     // Hiragana, Katakana
        | '\u{31F0}'..='\u{31FF}'   // Katakana extensions
        | '\u{3400}'..='\u{4DBF}'   // CJK extension A
        | '\u{4E00}'..='\u{9FFF}'   // CJK unified ideographs
        | '\u{AC00}'..='\u{D7AF}'   // Hangul syllables
        | '\u{F900}'..='\u{FAFF}'   // CJK compatibility ideographs
        | '\u{20000}'..='\u{2FA1F}' // CJK extensions B-F, compatibility supplement
    )
}

/// Splits `text` into search terms, in order, repeats kept (see the module docs).
pub fn tokenize(text: &str) -> Vec<String> {
    let mut terms = Vec::new();
    let mut word = String::new();
    let mut word_chars = 0usize;
    let mut run: Vec<char> = Vec::new();
    let flush_word = |word: &mut String, word_chars: &mut usize, terms: &mut Vec<String>| {
        if !word.is_empty() {
            terms.push(std::mem::take(word));
            *word_chars = 0;
        }
    };
    let flush_run = |run: &mut Vec<char>, terms: &mut Vec<String>| {
        match run.len() {
            0 => {}
            1 => terms.push(run[0].to_string()),
            _ => terms.extend(run.windows(2).map(|w| w.iter().collect::<String>())),
        }
        run.clear();
    };
    for c in text.chars() {
        if is_cjk(c) {
            flush_word(&mut word, &mut word_chars, &mut terms);
            run.push(c);
        } else if c.is_alphanumeric() {
            flush_run(&mut run, &mut terms);
            for l in c.to_lowercase() {
                if word_chars < MAX_TERM_CHARS {
                    word.push(l);
                    word_chars += 1;
                }
            }
        } else {
            flush_word(&mut word, &mut word_chars, &mut terms);
            flush_run(&mut run, &mut terms);
        }
    }
    flush_word(&mut word, &mut word_chars, &mut terms);
    flush_run(&mut run, &mut terms);
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_words_are_lowercased_and_split_on_punctuation() {
        assert_eq!(tokenize("The PUMP-7 failed; pump restarted."), vec!["the", "pump", "7", "failed", "pump", "restarted"]);
        assert_eq!(tokenize("Größe ÉTÉ"), vec!["größe", "été"]);
        assert!(tokenize("  ,.!? ").is_empty());
    }

    #[test]
    fn cjk_runs_become_bigrams_and_single_chars_stay() {
        assert_eq!(tokenize("温度"), vec!["温度"]);
        assert_eq!(tokenize("温度传感器"), vec!["温度", "度传", "传感", "感器"]);
        assert_eq!(tokenize("开 灯"), vec!["开", "灯"]);
        assert_eq!(tokenize("客厅ac温度"), vec!["客厅", "ac", "温度"]);
        assert_eq!(tokenize("センサー"), vec!["セン", "ンサ", "サー"]);
    }

    #[test]
    fn long_words_are_cut() {
        let t = tokenize(&"a".repeat(500));
        assert_eq!(t, vec!["a".repeat(MAX_TERM_CHARS)]);
    }
}
