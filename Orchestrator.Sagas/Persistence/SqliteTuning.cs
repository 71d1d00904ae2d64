using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Orchestrator.Sagas.Persistence;

/// <summary>
/// SQLite takes one writer at a time per file, and Microsoft.Data.Sqlite answers a busy file by sleeping 150 ms
/// before it tries again: under load most of the time went to those sleeps. So the writers of this process queue
/// here instead, one transaction at a time per file, and connections commit with <c>synchronous=NORMAL</c> (in
/// WAL mode a commit then survives a crash of the process without waiting for an fsync).
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "One per database file, for the life of the process.")]
sealed class SqliteTuning : DbTransactionInterceptor, IDbConnectionInterceptor
{
    static readonly ConcurrentDictionary<string, SqliteTuning> ByFile = new(StringComparer.Ordinal);

    readonly SemaphoreSlim _writer = new(1, 1);
    readonly ConcurrentDictionary<Guid, bool> _writing = new();

    SqliteTuning()
    {
    }

    public static SqliteTuning For(string connectionString) => ByFile.GetOrAdd(connectionString, _ => new SqliteTuning());

    public async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous=NORMAL;";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous=NORMAL;";
        command.ExecuteNonQuery();
    }

    // Whatever way a transaction ends (even disposed unfinished), its connection is closed or disposed after it.
    public Task ConnectionClosedAsync(DbConnection connection, ConnectionEndEventData eventData) => Release(eventData.ConnectionId);

    public void ConnectionClosed(DbConnection connection, ConnectionEndEventData eventData) => Release(eventData.ConnectionId);

    public Task ConnectionDisposedAsync(DbConnection connection, ConnectionEndEventData eventData) => Release(eventData.ConnectionId);

    public void ConnectionDisposed(DbConnection connection, ConnectionEndEventData eventData) => Release(eventData.ConnectionId);

    public override async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(
        DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        await _writer.WaitAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(eventData.IsolationLevel, cancellationToken);
            _writing[eventData.ConnectionId] = true;
            return InterceptionResult<DbTransaction>.SuppressWithResult(transaction);
        }
        catch
        {
            _writer.Release();
            throw;
        }
    }

    public override InterceptionResult<DbTransaction> TransactionStarting(
        DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        _writer.Wait();
        try
        {
            var transaction = connection.BeginTransaction(eventData.IsolationLevel);
            _writing[eventData.ConnectionId] = true;
            return InterceptionResult<DbTransaction>.SuppressWithResult(transaction);
        }
        catch
        {
            _writer.Release();
            throw;
        }
    }

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
        Release(eventData.ConnectionId);

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Release(eventData.ConnectionId);

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
        Release(eventData.ConnectionId);

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Release(eventData.ConnectionId);

    Task Release(Guid connectionId)
    {
        if (_writing.TryRemove(connectionId, out _))
            _writer.Release();
        return Task.CompletedTask;
    }
}
