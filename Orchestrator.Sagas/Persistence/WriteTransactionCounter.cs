using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Orchestrator.Sagas.Persistence;

/// <summary>
/// Counts committed write transactions for <see cref="DatabaseMetrics"/>: every commit (ours, or the one EF Core
/// opens around a SaveChanges of several statements), and every write command that ran with no transaction at
/// all (a SaveChanges of one statement, ExecuteUpdate, ExecuteDelete), which the database commits on its own.
/// Reads and migrations are not counted. Stateless: one instance serves every context of every provider.
/// </summary>
sealed class WriteTransactionCounter : IDbTransactionInterceptor, IDbCommandInterceptor
{
    public static readonly WriteTransactionCounter Instance = new();

    WriteTransactionCounter()
    {
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => DatabaseMetrics.TransactionCommitted();

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        DatabaseMetrics.TransactionCommitted();
        return Task.CompletedTask;
    }

    public int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        CountAutocommit(command, eventData);
        return result;
    }

    public ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        CountAutocommit(command, eventData);
        return ValueTask.FromResult(result);
    }

    public DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        CountAutocommit(command, eventData);
        return result;
    }

    public ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        CountAutocommit(command, eventData);
        return ValueTask.FromResult(result);
    }

    static void CountAutocommit(DbCommand command, CommandEventData eventData)
    {
        if (command.Transaction is null && eventData.CommandSource is CommandSource.SaveChanges or CommandSource.ExecuteUpdate or CommandSource.ExecuteDelete)
            DatabaseMetrics.TransactionCommitted();
    }
}
