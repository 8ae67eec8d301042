//! (skeleton)

/// `args[0]` is the task name; parse the rest with clap.
pub fn run(_args: &[String]) -> anyhow::Result<()> {
    anyhow::bail!("not implemented yet")
}
