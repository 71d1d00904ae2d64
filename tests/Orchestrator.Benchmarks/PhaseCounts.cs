using System.Diagnostics;

namespace Orchestrator.Benchmarks;

/// <summary>
/// What a phase used: messages, write transactions, database commands and allocated bytes counted by the services (their <c>/metrics</c>), PostgreSQL's
/// own counts, and CPU time: each service process, this process (the load and the simulators: the harness), and
/// the whole machine (which also runs the broker and the database), and of it RabbitMQ's and PostgreSQL's processes.
/// </summary>
sealed record PhaseCounts(
    double Sent, double Consumed, double Transactions, double Reads, double Writes, double Allocated, PostgresCounts? Postgres, TimeSpan[] ProcessCpu, TimeSpan Harness, TimeSpan Machine,
    TimeSpan Broker, TimeSpan Database)
{
    public static async Task<PhaseCounts> ReadAsync(Deployment deployment)
    {
        var metrics = await MetricsScrape.ReadAsync(deployment.Processes);
        foreach (var family in new[] { MetricsScrape.MessagesSent, MetricsScrape.MessagesConsumedBySagas, MetricsScrape.Transactions, MetricsScrape.Reads, MetricsScrape.Allocated }.Where(f => !metrics.Has(f)))
            Console.WriteLine($"   {family} is not served by any host's /metrics: counted as 0");
        var postgres = deployment.Postgres is { } connectionString ? await PostgresCounts.ReadAsync(connectionString) : null;
        using var harness = Process.GetCurrentProcess();
        return new PhaseCounts(
            metrics[MetricsScrape.MessagesSent], metrics[MetricsScrape.MessagesConsumed] + metrics[MetricsScrape.MessagesConsumedBySagas], metrics[MetricsScrape.Transactions],
            metrics[MetricsScrape.Reads], metrics[MetricsScrape.Writes], metrics[MetricsScrape.Allocated], postgres,
            [.. deployment.Processes.Select(p => p.Cpu())], harness.TotalProcessorTime, MachineCpu.Busy(),
            MachineCpu.OfProcesses("beam.smp"), MachineCpu.OfProcesses("postgres"));
    }

    public static PhaseCounts operator -(PhaseCounts after, PhaseCounts before) => new(
        after.Sent - before.Sent, after.Consumed - before.Consumed, after.Transactions - before.Transactions,
        after.Reads - before.Reads, after.Writes - before.Writes, after.Allocated - before.Allocated,
        after.Postgres is null || before.Postgres is null ? null : after.Postgres - before.Postgres,
        [.. after.ProcessCpu.Zip(before.ProcessCpu, (a, b) => a - b)], after.Harness - before.Harness, after.Machine - before.Machine,
        after.Broker - before.Broker, after.Database - before.Database);
}
