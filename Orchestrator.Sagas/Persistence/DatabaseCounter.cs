using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Orchestrator.Sagas.Persistence;

/// <summary>
/// Counts for <see cref="DatabaseMetrics"/>: every query and every write EF Core ran (not schema changes), and committed write
/// transactions: every commit (ours, or the one EF Core opens around a SaveChanges of several statements), and every
/// write command that ran with no transaction at all (a SaveChanges of one statement, ExecuteUpdate, ExecuteDelete),
/// which the database commits on its own. Stateless: one instance serves every context of every provider.
/// </summary>
sealed class DatabaseCounter : IDbTransactionInterceptor, IDbCommandInterceptor
{
    public static readonly DatabaseCounter Instance = new();

    DatabaseCounter()
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
        Count(command, eventData);
        return result;
    }

    public ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Count(command, eventData);
        return ValueTask.FromResult(result);
    }

    public DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        Count(command, eventData);
        return result;
    }

    public ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        Count(command, eventData);
        return ValueTask.FromResult(result);
    }

    public object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        Count(command, eventData);
        return result;
    }

    public ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        Count(command, eventData);
        return ValueTask.FromResult(result);
    }

    static void Count(DbCommand command, CommandEventData eventData)
    {
        var sql = command.CommandText.AsSpan().TrimStart();
        if (eventData.CommandSource is CommandSource.SaveChanges or CommandSource.ExecuteUpdate or CommandSource.ExecuteDelete
            || StartsWith(sql, "INSERT") || StartsWith(sql, "UPDATE") || StartsWith(sql, "DELETE"))
        {
            DatabaseMetrics.CommandExecuted(write: true);
            if (command.Transaction is null)
                DatabaseMetrics.TransactionCommitted();
        }
        else if (StartsWith(sql, "SELECT") || StartsWith(sql, "WITH"))
        {
            DatabaseMetrics.CommandExecuted(write: false);
        }
    }

    static bool StartsWith(ReadOnlySpan<char> sql, string keyword) => sql.StartsWith(keyword, StringComparison.OrdinalIgnoreCase);
}
