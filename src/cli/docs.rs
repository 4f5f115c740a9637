//! Shell completions and the man page, both generated from the clap
//! definitions so they list exactly the commands and flags that parse.

use std::io::{self, Write};

use clap::ValueEnum;

/// The shells `portico completions` writes a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

impl Shell {
    const fn generator(self) -> clap_complete::Shell {
        match self {
            Self::Bash => clap_complete::Shell::Bash,
            Self::Zsh => clap_complete::Shell::Zsh,
            Self::Fish => clap_complete::Shell::Fish,
        }
    }
}

/// Writes the completion script for `shell` to `out`. It is built in
/// memory first: `clap_complete` panics on a failed write (a closed pipe),
/// and a write error here is reported instead.
pub fn completions(
    shell: Shell,
    mut command: clap::Command,
    out: &mut dyn Write,
) -> io::Result<()> {
    let name = command.get_name().to_owned();
    let mut script = Vec::new();
    clap_complete::generate(shell.generator(), &mut command, name, &mut script);
    out.write_all(&script)?;
    out.flush()
}

/// Writes the man page (roff) to `out`; its SUBCOMMANDS section lists
/// every command with its summary, and `portico help CMD` has the rest.
pub fn man(command: clap::Command, out: &mut dyn Write) -> io::Result<()> {
    clap_mangen::Man::new(command).render(out)
}
