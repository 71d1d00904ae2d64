using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Orchestrator.Sagas.Persistence;

/// <summary>
/// A query compiled with <c>EF.CompileAsyncQuery</c>, once per model: a compiled query keeps what it compiled for the
/// first context that ran it (its provider's SQL and value conversions), and one process may hold contexts of
/// several providers (the tests do). Each provider's options build a model of their own.
/// </summary>
public sealed class CompiledPerModel<TQuery>(Func<TQuery> compile)
    where TQuery : class
{
    readonly ConditionalWeakTable<IModel, TQuery> _compiled = [];

    public TQuery For(DbContext db) => _compiled.GetValue(db.Model, _ => compile());
}
