//! A guard run before the EDN reader: the reader recurses once per nesting level, so a deeply
//! nested file would overflow the stack; this scan refuses it first, naming the line.

use crate::validate::HistoryError;

/// The deepest nesting of vectors, lists, maps, sets, tags (`#inst "..."`) and discards (`#_`)
/// an EDN history may have. Real histories nest a handful of levels; this leaves ample room
/// while staying far from the stack's limit.
pub const MAX_NESTING: usize = 200;

/// What a nesting level is opened by.
#[derive(Clone, Copy, PartialEq)]
enum Level {
    /// `(`, `[`, `{` or `#{`: closed by its bracket.
    Bracket,
    /// `#tag`: ends with the one form that follows it (which it makes a form).
    Tag,
    /// `#_`: ends with the one form that follows it (which it discards).
    Discard,
}

/// Opens a nesting level at `line`; an error when it is one too deep.
fn open(levels: &mut Vec<Level>, level: Level, line: usize) -> Result<(), HistoryError> {
    levels.push(level);
    if levels.len() > MAX_NESTING {
        return Err(HistoryError {
            line,
            message: format!(
                "the EDN nests deeper than {MAX_NESTING} levels here; a history is a list of \
                 operation maps whose values nest a few levels at most"
            ),
        });
    }
    Ok(())
}

/// Characters that end a token (a number, keyword, symbol, `nil`, ...).
fn ends_token(c: char) -> bool {
    c.is_whitespace() || matches!(c, ',' | '(' | ')' | '[' | ']' | '{' | '}' | '"' | ';')
}

/// Refuses `text` when its forms nest deeper than [`MAX_NESTING`], naming the line where the
/// limit is crossed. Strings, character literals and `;` comments are skipped.
pub fn check_nesting(text: &str) -> Result<(), HistoryError> {
    let mut levels: Vec<Level> = Vec::new();
    let mut line = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            c if c.is_whitespace() || c == ',' => {}
            ';' => {
                if chars.by_ref().any(|c| c == '\n') {
                    line += 1;
                }
            }
            '"' => {
                skip_string(&mut chars, &mut line);
                form_ended(&mut levels);
            }
            '\\' => {
                chars.next();
                skip_token(&mut chars);
                form_ended(&mut levels);
            }
            '(' | '[' | '{' => open(&mut levels, Level::Bracket, line)?,
            ')' | ']' | '}' => {
                while levels.pop().is_some_and(|level| level != Level::Bracket) {}
                form_ended(&mut levels);
            }
            '#' => match chars.peek() {
                Some('{') => {
                    chars.next();
                    open(&mut levels, Level::Bracket, line)?;
                }
                Some('_') => {
                    chars.next();
                    open(&mut levels, Level::Discard, line)?;
                }
                _ => {
                    skip_token(&mut chars);
                    open(&mut levels, Level::Tag, line)?;
                }
            },
            _ => {
                skip_token(&mut chars);
                form_ended(&mut levels);
            }
        }
    }
    Ok(())
}

/// A form just ended: the tags waiting for it end with it, up to and including the discard
/// that consumes it (the forms around a discarded one are still waiting).
fn form_ended(levels: &mut Vec<Level>) {
    while let Some(&level) = levels.last() {
        if level == Level::Bracket {
            return;
        }
        levels.pop();
        if level == Level::Discard {
            return;
        }
    }
}

/// Skips the rest of a token (its first character already read).
fn skip_token(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while chars.next_if(|&c| !ends_token(c)).is_some() {}
}

/// Skips the rest of a string literal (its opening quote already read), counting its newlines.
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, line: &mut usize) {
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
