"""matplotlib's calls, as the analysis knows them: figures and axes made, and the plotting
functions that convert their data with numpy (a grad tensor given to them raises, GRD503)."""

#: matplotlib calls that make a figure, and those that give its axes (``fig, axs = plt.subplots(2, 2)``:
#: ``axs[0, 0].plot(losses)`` converts its data as ``plt.plot(losses)`` does).
MPL_FIGURE = "matplotlib.figure.Figure"
MPL_AXES = "matplotlib.axes.Axes"
MPL_FIGURE_FACTORIES = frozenset({"matplotlib.pyplot.figure"})
MPL_AXES_FACTORIES = frozenset(
    {
        "matplotlib.pyplot.subplot",
        "matplotlib.pyplot.gca",
        "matplotlib.pyplot.axes",
        MPL_FIGURE + ".add_subplot",
        MPL_FIGURE + ".gca",
        MPL_FIGURE + ".subplots",
        MPL_AXES + ".twinx",
        MPL_AXES + ".twiny",
        # the array of axes ``plt.subplots(2, 2)`` gives, flattened: still axes to iterate
        MPL_AXES + ".flatten",
        MPL_AXES + ".ravel",
    }
)
#: what iterating gives axes: the array of axes (or a row of it, ``axs[0]``) and its ``.flat`` view
#: (``for ax, m in zip(axs.flat, maps): ax.imshow(m)`` converts ``m`` as ``plt.imshow(m)`` does)
MPL_AXES_ARRAYS = frozenset({MPL_AXES, MPL_AXES + ".flat"})
#: matplotlib.pyplot functions that convert their data arguments with numpy.
PYPLOT_DATA_FUNCTIONS = frozenset(
    "plot scatter hist bar barh imshow semilogy semilogx loglog errorbar fill_between step stem boxplot "
    "violinplot pcolormesh contour contourf matshow".split()
)
