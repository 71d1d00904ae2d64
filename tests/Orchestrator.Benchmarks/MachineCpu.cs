namespace Orchestrator.Benchmarks;

/// <summary>CPU time the whole machine spent busy (every process, the kernel included), from /proc/stat.</summary>
static class MachineCpu
{
    public static TimeSpan Busy()
    {
        // cpu  user nice system idle iowait irq softirq steal ... in clock ticks (USER_HZ, 100 on Linux)
        var ticks = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(long.Parse).ToArray();
        var busy = ticks.Sum() - ticks[3] - ticks[4];
        return TimeSpan.FromSeconds(busy / 100.0);
    }

    /// <summary>
    /// CPU time used so far by the processes whose command is <paramref name="command"/> (<c>beam.smp</c> is
    /// RabbitMQ, <c>postgres</c> every PostgreSQL process), from /proc/[pid]/stat. A process that ended meanwhile takes
    /// its time with it: the services keep their connections (and so PostgreSQL its backends) open.
    /// </summary>
    public static TimeSpan OfProcesses(string command)
    {
        long ticks = 0;
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!char.IsAsciiDigit(Path.GetFileName(folder)[0]))
                continue;
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(folder, "stat"));
            }
            catch (IOException)
            {
                continue; // ended while listed
            }

            // pid (comm) state ppid ... utime stime: the 14th and 15th fields; comm may hold spaces, so split after ')'.
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            if (open < 0 || close < open || stat[(open + 1)..close] != command)
                continue;
            var fields = stat[(close + 2)..].Split(' ');
            ticks += long.Parse(fields[11]) + long.Parse(fields[12]);
        }

        return TimeSpan.FromSeconds(ticks / 100.0);
    }
}
