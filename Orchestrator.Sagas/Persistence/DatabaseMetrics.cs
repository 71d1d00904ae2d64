using System.Diagnostics.Metrics;
using Orchestrator.Sagas.ResearchTasks;

namespace Orchestrator.Sagas.Persistence;

/// <summary>
/// The database's share of the meter <c>Orchestrator</c>: write transactions committed, counted by
/// <see cref="WriteTransactionCounter"/>, so that a benchmark divides a count, not an estimate, by its workflows.
/// </summary>
public static class DatabaseMetrics
{
    public const string TransactionsName = "orchestrator.db.transactions";

    static readonly Meter Meter = new(TaskMetrics.MeterName, "1.0");

    static readonly Counter<long> Transactions = Meter.CreateCounter<long>(
        TransactionsName, "{transaction}", "Write transactions committed: explicit or EF Core's own, and single writes outside one");

    internal static void TransactionCommitted() => Transactions.Add(1);
}
