using System.Globalization;
using System.Text.RegularExpressions;

namespace Orchestrator.Benchmarks;

/// <summary>
/// Counters read from the hosts' <c>GET /metrics</c> (Prometheus text): the benchmark divides counts, not
/// estimates, by its workflows. Each family is summed over its labels and over the hosts.
/// </summary>
sealed class MetricsScrape
{
    // MassTransit's counters have the unit "ea" (each), which the exporter puts in their names.

    /// <summary>Messages sent and published (MassTransit 8 counts a publish as a send: <c>messaging.masstransit.send</c>).</summary>
    public const string MessagesSent = "messaging_masstransit_send_ea_total";

    /// <summary>Messages consumed by consumers (<c>messaging.masstransit.consume</c>).</summary>
    public const string MessagesConsumed = "messaging_masstransit_consume_ea_total";

    /// <summary>Messages consumed by sagas (<c>messaging.masstransit.saga</c>: not in the consume counter).</summary>
    public const string MessagesConsumedBySagas = "messaging_masstransit_saga_ea_total";

    /// <summary>Committed write transactions (<c>orchestrator.db.transactions</c>).</summary>
    public const string Transactions = "orchestrator_db_transactions_total";

    /// <summary>Database queries (<c>orchestrator.db.commands</c>, kind read).</summary>
    public const string Reads = "orchestrator_db_commands_total:read";

    /// <summary>Database inserts, updates and deletes (<c>orchestrator.db.commands</c>, kind write).</summary>
    public const string Writes = "orchestrator_db_commands_total:write";

    /// <summary>Bytes the garbage collector allocated (.NET's <c>dotnet.gc.heap.total_allocated</c>).</summary>
    public const string Allocated = "dotnet_gc_heap_total_allocated_bytes_total";

    /// <summary>Bytes the GC heap had committed at its last collection (.NET's <c>dotnet.gc.last_collection.memory.committed_size</c>).</summary>
    public const string HeapCommitted = "dotnet_gc_last_collection_memory_committed_size_bytes";

    static readonly Regex Kind = new("[{,]kind=\"([^\"]*)\"", RegexOptions.Compiled);

    readonly Dictionary<string, double> _totals;

    MetricsScrape(Dictionary<string, double> totals) => _totals = totals;

    public double this[string family] => _totals.GetValueOrDefault(family);

    /// <summary>Whether any host served <paramref name="family"/>: a renamed instrument must not read as zero.</summary>
    public bool Has(string family) => _totals.ContainsKey(family);

    public static async Task<MetricsScrape> ReadAsync(IEnumerable<ServiceProcess> processes)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var totals = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var process in processes)
        {
            var text = await http.GetStringAsync(new Uri(process.Address, "/metrics"));
            foreach (var line in text.Split('\n'))
            {
                if (line.Length == 0 || line[0] == '#')
                    continue;
                var family = line[..line.IndexOfAny(['{', ' '])];
                if (!double.TryParse(line[(line.LastIndexOf(' ') + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                    continue;
                totals[family] = totals.GetValueOrDefault(family) + value;
                if (Kind.Match(line) is { Success: true } kind)
                    totals[$"{family}:{kind.Groups[1].Value}"] = totals.GetValueOrDefault($"{family}:{kind.Groups[1].Value}") + value;
            }
        }

        return new MetricsScrape(totals);
    }

    /// <summary>How much <paramref name="family"/> grew from <paramref name="before"/> to this scrape.</summary>
    public double Since(MetricsScrape before, string family) => this[family] - before[family];
}
