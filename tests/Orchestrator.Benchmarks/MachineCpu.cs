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
}
