using System.Diagnostics.Metrics;
using Orchestrator.Sagas.ResearchTasks;

namespace Orchestrator.Sagas.Persistence;

/// <summary>
/// The database's share of the meter <c>Orchestrator</c>: write transactions committed and commands run (tagged
/// <c>kind</c> = <c>read</c> or <c>write</c>), counted by <see cref="DatabaseCounter"/>, so that a benchmark divides
/// a count, not an estimate, by its workflows.
/// </summary>
public static class DatabaseMetrics
{
    public const string TransactionsName = "orchestrator.db.transactions";

    public const string CommandsName = "orchestrator.db.commands";

    static readonly Meter Meter = new(TaskMetrics.MeterName, "1.0");

    static readonly Counter<long> Transactions = Meter.CreateCounter<long>(
        TransactionsName, "{transaction}", "Write transactions committed: explicit or EF Core's own, and single writes outside one");

    static readonly Counter<long> Commands = Meter.CreateCounter<long>(
        CommandsName, "{command}", "Commands run, by kind: read (a query) or write (an insert, update or delete)");

    static readonly KeyValuePair<string, object?> Read = new("kind", "read");

    static readonly KeyValuePair<string, object?> Write = new("kind", "write");

    internal static void TransactionCommitted() => Transactions.Add(1);

    internal static void CommandExecuted(bool write) => Commands.Add(1, write ? Write : Read);
}
