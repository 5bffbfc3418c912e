//! A guard run before the EDN reader: the reader recurses once per nesting level, so a deeply
//! nested file would overflow the stack; this scan refuses it first, naming the line.

use crate::validate::HistoryError;

/// The deepest nesting of vectors, lists, maps and sets an EDN history may have. Real histories
/// nest a handful of levels; this leaves ample room while staying far from the stack's limit.
pub const MAX_NESTING: usize = 200;

/// Refuses `text` when its brackets nest deeper than [`MAX_NESTING`], naming the line where the
/// limit is crossed. Strings, character literals and `;` comments are skipped.
pub fn check_nesting(text: &str) -> Result<(), HistoryError> {
    let mut depth = 0usize;
    let mut line = 1;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            '"' => skip_string(&mut chars, &mut line),
            ';' if chars.by_ref().any(|c| c == '\n') => line += 1,
            '\\' => {
                chars.next();
            }
            '(' | '[' | '{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(HistoryError {
                        line,
                        message: format!(
                            "the EDN nests deeper than {MAX_NESTING} levels here; a history is \
                             a list of operation maps whose values nest a few levels at most"
                        ),
                    });
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Skips the rest of a string literal (its opening quote already read), counting its newlines.
fn skip_string(chars: &mut std::str::Chars<'_>, line: &mut usize) {
    while let Some(c) = chars.next() {
        match c {
            '"' => return,
            '\\' => {
                chars.next();
            }
            '\n' => *line += 1,
            _ => {}
        }
    }
}
